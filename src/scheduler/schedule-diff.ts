import type { ScheduleRow } from '../store/schedules.ts';

/** The columns that decide when a schedule fires: changing one recomputes `next_run_at` (add new timing columns, e.g. excluded dates, here). */
export const timingColumns: ReadonlySet<string> = new Set([
  'kind',
  'cron',
  'at',
  'every_ms',
  'anchor_at',
  'timezone',
  'start_at',
  'end_at',
  'max_runs',
  'dst_repeated',
  'dst_skipped',
  'exclude_dates',
]);

/** The request field each column comes from (columns not listed are named as the field). */
const fieldOfColumn: Record<string, string> = {
  kind: 'schedule',
  cron: 'schedule',
  at: 'schedule',
  every_ms: 'schedule',
  anchor_at: 'schedule',
  timezone: 'schedule',
  timeout_ms: 'timeout',
  retry_max_attempts: 'retry',
  retry_backoff_ms: 'retry',
  retry_backoff_factor: 'retry',
  retry_backoff_max_ms: 'retry',
  catchup_window_ms: 'catchup_window',
  jitter_ms: 'jitter',
};

/** A JSON text with object keys sorted, so that jsonb's key order does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}

/** Whether a stored column value equals a desired one: instants by time, JSON by content. */
export function sameColumnValue(stored: unknown, desired: unknown): boolean {
  if (stored === undefined || stored === null || desired === undefined || desired === null) {
    return (stored ?? null) === (desired ?? null);
  }
  if (stored instanceof Date || desired instanceof Date) {
    const time = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(value as string).getTime());
    return time(stored) === time(desired);
  }
  if (typeof stored === 'object' || typeof desired === 'object') return canonical(stored) === canonical(desired);
  return stored === desired;
}

/** The desired columns whose value differs from the stored row. */
export function differingColumns(
  current: ScheduleRow,
  desired: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(desired)) {
    if (!sameColumnValue((current as unknown as Record<string, unknown>)[column], value)) changes[column] = value;
  }
  return changes;
}

/** The request fields (`schedule`, `retry`, `input_template`, …) behind changed columns, sorted. */
export function changedFields(columns: Iterable<string>): string[] {
  return [...new Set([...columns].map((column) => fieldOfColumn[column] ?? column))].sort();
}
