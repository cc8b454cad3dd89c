import type { Database } from '../../store/database.ts';
import { readRunDigest } from '../../store/run-digest.ts';
import { findUser } from '../../store/users.ts';
import { defineAssistant, type AssistantDefinition } from '../define-assistant.ts';

export const kairosDigestModuleId = 'kairos-digest';

export interface DigestFailure {
  run_id: string;
  schedule: string | null;
  assistant: string | null;
  status: string;
  error_kind: string | null;
  error: string | null;
  finished_at: string | null;
}

export interface DigestSlowRun {
  run_id: string;
  schedule: string | null;
  assistant: string | null;
  status: string;
  duration_ms: number;
}

export interface KairosDigest {
  summary: string;
  period: { from: string; to: string; hours: number };
  /** `all` for admins; `own` when the digest runs for a member (only their runs). */
  scope: 'all' | 'own';
  total: number;
  by_status: Record<string, number>;
  /** Successes among finished runs (success, error, timeout), or null when none finished. */
  success_rate: number | null;
  failures: DigestFailure[];
  slowest: DigestSlowRun[];
}

function hoursFrom(input: unknown, options: Readonly<Record<string, unknown>>): number {
  const candidate =
    (typeof input === 'object' && input !== null ? (input as { hours?: unknown }).hours : undefined) ?? options.hours;
  const hours = typeof candidate === 'string' ? Number(candidate) : candidate;
  return typeof hours === 'number' && Number.isFinite(hours) && hours > 0 ? Math.min(hours, 24 * 366) : 24;
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function label(row: { schedule: string | null; assistant: string | null }): string {
  return row.schedule ? `"${row.schedule}"` : row.assistant ? `assistant "${row.assistant}"` : 'an unscheduled run';
}

function summarise(digest: Omit<KairosDigest, 'summary'>): string {
  const span = digest.period.hours === 24 ? 'the last 24 h' : `the last ${digest.period.hours} h`;
  if (digest.total === 0) return `No runs in ${span}.`;
  const count = (status: string) => digest.by_status[status] ?? 0;
  const parts = [
    `${count('success')} succeeded`,
    `${count('error')} failed`,
    `${count('timeout')} timed out`,
    count('skipped') > 0 ? `${count('skipped')} skipped` : '',
    count('cancelled') > 0 ? `${count('cancelled')} cancelled` : '',
    count('running') + count('pending') > 0 ? `${count('running') + count('pending')} pending or running` : '',
  ].filter(Boolean);
  let text = `${digest.total} run${digest.total === 1 ? '' : 's'} in ${span}: ${parts.join(', ')}.`;
  if (digest.success_rate !== null) text += ` Success rate ${Math.round(digest.success_rate * 100)}%.`;
  const latest = digest.failures[0];
  if (latest) text += ` Latest failure: ${label(latest)} (${latest.error_kind ?? latest.status}).`;
  const slowest = digest.slowest[0];
  if (slowest) text += ` Slowest: ${label(slowest)} at ${seconds(slowest.duration_ms)}.`;
  return text;
}

/**
 * The built-in `kairos-digest` module: a report of the last day's runs (counts by status,
 * failures with their schedule and error, the slowest runs) read from Kairos's own database.
 * It needs no network or API key, so a fresh install shows real scheduled work at once.
 * Admins' digests cover every run; a member's digest covers the member's runs only.
 * Input or `config.options` may set `hours` (default 24).
 */
export function kairosDigestAssistant(db: Database): AssistantDefinition<unknown, KairosDigest> {
  return defineAssistant({
    id: kairosDigestModuleId,
    name: 'Kairos digest',
    description: "Reports the last day's runs: counts by status, failures, slowest runs. Built in; needs no network.",
    async run(input, ctx) {
      const hours = hoursFrom(input, ctx.options);
      const ownerId = ctx.run.ownerId;
      const owner = ownerId ? await findUser(db, ownerId) : undefined;
      const onlyOwner = owner?.role === 'admin' ? null : (ownerId ?? '00000000-0000-0000-0000-000000000000');
      const { from, to, counts, failures, slowest } = await readRunDigest(db, {
        hours,
        ownerId: onlyOwner,
        excludeRunId: ctx.run.id,
      });
      const byStatus = Object.fromEntries(counts.map((row) => [row.status, row.count]));
      const finished = ['success', 'error', 'timeout'].reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
      const digest: Omit<KairosDigest, 'summary'> = {
        period: { from: from.toISOString(), to: to.toISOString(), hours },
        scope: onlyOwner === null ? 'all' : 'own',
        total: counts.reduce((sum, row) => sum + row.count, 0),
        by_status: byStatus,
        success_rate: finished > 0 ? Math.round(((byStatus.success ?? 0) / finished) * 1000) / 1000 : null,
        failures: failures.map((row) => ({
          ...row,
          finished_at: row.finished_at ? new Date(row.finished_at).toISOString() : null,
        })),
        slowest,
      };
      return { summary: summarise(digest), ...digest };
    },
  });
}
