import type { RunStatus } from '../../sdk/index.ts';

const labels: Record<string, string> = {
  pending: 'Pending',
  running: 'Running',
  success: 'Success',
  error: 'Error',
  timeout: 'Timeout',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/** A run status as a coloured pill; the text carries the meaning, colour only reinforces it. */
export function StatusBadge({ status }: { status: RunStatus | string | null | undefined }) {
  if (!status) return <span className="muted">—</span>;
  return (
    <span className={`badge status-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {labels[status] ?? status}
    </span>
  );
}

export function EnabledBadge({ enabled, status }: { enabled: boolean; status?: string | undefined }) {
  if (status === 'completed') return <span className="badge neutral">Completed</span>;
  return enabled ? <span className="badge ok">Active</span> : <span className="badge paused">Paused</span>;
}

export function AlertBadge({ failures, threshold }: { failures: number; threshold: number }) {
  if (failures < threshold) return null;
  return (
    <span className="badge alert" title={`${failures} consecutive failures (alert after ${threshold})`}>
      ⚠ {failures} failing
    </span>
  );
}

export const failureLabels: Record<string, string> = {
  timeout: 'Timeout',
  assistant_error: 'Assistant error',
  capacity: 'Capacity',
  crashed: 'Crashed',
  cancelled: 'Cancelled',
  config: 'Configuration',
};

/** Why a pending run is held (`held_reason`), as the run list and drawer say it. */
export function heldLabel(reason: string): string {
  const labels: Record<string, string> = {
    provider_limit: 'held: provider limit',
    assistant_limit: 'held: assistant limit',
    concurrency_key: 'held: concurrency key',
    budget: 'held: budget',
  };
  return labels[reason] ?? `held: ${reason}`;
}
