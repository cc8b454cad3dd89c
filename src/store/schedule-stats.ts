import type { Queryable } from './database.ts';
import type { RunStatus } from './run-kinds.ts';
import { skipReasonSql } from './skip-reasons.ts';

/** A schedule's health over a window, for the API and the dashboard. */
export interface ScheduleStats {
  schedule_id: string;
  window_ms: number;
  since: string;
  /** Runs created in the window, every status. */
  total: number;
  by_status: Partial<Record<RunStatus, number>>;
  /** Finished runs by failure reason (timeout, assistant_error, capacity, crashed, cancelled, config). */
  by_reason: Record<string, number>;
  /** success / (success + error + timeout); null when none of those finished in the window. */
  success_rate: number | null;
  consecutive_failures: number;
  /** Tokens of runs in the window that recorded usage. */
  tokens: { prompt: number; completion: number; total: number };
  p50_duration_ms: number | null;
  p95_duration_ms: number | null;
  last_run_at: string | null;
  last_run_status: string | null;
  next_run_at: string | null;
  /** Occurrences in the window that exclude_dates skipped (from the schedule's `excluded` events). */
  excluded: number;
  /** Runs in the window that started after their start deadline (`late_by_ms`), and the latest of them. */
  late: number;
  max_late_ms: number | null;
  /**
   * Occurrences in the window that produced no start, by reason (src/store/skip-reasons.ts): runs
   * ended without calling their agent, plus occurrences the scheduler recorded without a run
   * (`missed` under misfire `skip`, `excluded` by exclude_dates).
   */
  skipped_by_reason: Record<string, number>;
}

interface StatsRow {
  tokens: { prompt: number | string; completion: number | string; total: number | string } | null;
  by_status: Partial<Record<RunStatus, number>>;
  by_reason: Record<string, number>;
  p50: number | null;
  p95: number | null;
  consecutive_failures: number;
  last_run_at: Date | null;
  last_run_status: string | null;
  next_run_at: Date | null;
  active: boolean;
  excluded: number;
  late: number;
  max_late_ms: number | null;
  skipped_by_reason: Record<string, number>;
}

/** One query: counts by status and reason, duration percentiles and the schedule's state. */
export async function scheduleStats(
  db: Queryable,
  scheduleId: string,
  options: { now: number; windowMs: number },
): Promise<ScheduleStats | undefined> {
  const since = new Date(options.now - options.windowMs);
  const { rows } = await db.query<StatsRow>(
    `WITH w AS (
       SELECT id, status, error_kind, duration_ms, late_by_ms, ${skipReasonSql} AS skip_reason
       FROM runs r WHERE schedule_id = $1 AND created_at >= $2)
     SELECT
       (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM w GROUP BY status) a) AS by_status,
       (SELECT coalesce(jsonb_object_agg(error_kind, n), '{}') FROM (
          SELECT error_kind, count(*)::int AS n FROM w
          WHERE error_kind IS NOT NULL AND status NOT IN ('pending', 'running') GROUP BY error_kind) b) AS by_reason,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM w WHERE duration_ms IS NOT NULL AND status <> 'skipped') AS p50,
       (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FROM w WHERE duration_ms IS NOT NULL AND status <> 'skipped') AS p95,
       (SELECT jsonb_build_object('prompt', coalesce(sum(u.prompt_tokens), 0), 'completion', coalesce(sum(u.completion_tokens), 0),
                                  'total', coalesce(sum(u.total_tokens), 0))
          FROM w JOIN run_usage_v u ON u.run_id = w.id) AS tokens,
       s.consecutive_failures, s.last_run_at, s.last_run_status, s.next_run_at,
       (s.enabled AND s.completed_at IS NULL) AS active,
       (SELECT coalesce(sum((data ->> 'count')::int), 0)::int FROM schedule_events
          WHERE schedule_id = $1 AND kind = 'excluded' AND at >= $2) AS excluded,
       (SELECT count(*)::int FROM w WHERE late_by_ms > 0 AND status <> 'pending') AS late,
       (SELECT max(late_by_ms) FROM w WHERE status <> 'pending') AS max_late_ms,
       (SELECT coalesce(jsonb_object_agg(reason, n), '{}') FROM (
          SELECT reason, sum(n)::int AS n FROM (
            SELECT skip_reason AS reason, count(*) AS n FROM w WHERE skip_reason IS NOT NULL GROUP BY 1
            UNION ALL
            SELECT kind, sum((data ->> 'count')::int) FROM schedule_events
              WHERE schedule_id = $1 AND kind IN ('missed', 'excluded') AND at >= $2 GROUP BY 1
          ) x GROUP BY reason) k) AS skipped_by_reason
     FROM schedules s WHERE s.id = $1`,
    [scheduleId, since],
  );
  const row = rows[0];
  if (!row) return undefined;
  const count = (status: RunStatus) => row.by_status[status] ?? 0;
  const decided = count('success') + count('error') + count('timeout');
  return {
    schedule_id: scheduleId,
    window_ms: options.windowMs,
    since: since.toISOString(),
    total: Object.values(row.by_status).reduce((sum, n) => sum + (n ?? 0), 0),
    by_status: row.by_status,
    by_reason: row.by_reason,
    success_rate: decided === 0 ? null : count('success') / decided,
    consecutive_failures: row.consecutive_failures,
    tokens: {
      prompt: Number(row.tokens?.prompt ?? 0),
      completion: Number(row.tokens?.completion ?? 0),
      total: Number(row.tokens?.total ?? 0),
    },
    p50_duration_ms: row.p50 === null ? null : Math.round(row.p50),
    p95_duration_ms: row.p95 === null ? null : Math.round(row.p95),
    last_run_at: row.last_run_at?.toISOString() ?? null,
    last_run_status: row.last_run_status,
    next_run_at: row.active ? (row.next_run_at?.toISOString() ?? null) : null,
    excluded: row.excluded,
    late: row.late,
    max_late_ms: row.max_late_ms,
    skipped_by_reason: row.skipped_by_reason,
  };
}
