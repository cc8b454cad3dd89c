import type { Queryable } from './database.ts';
import type { RunRow } from './runs.ts';
import type { MisfirePolicy } from './schedules.ts';

/** A pending run past its start deadline, with its schedule's misfire settings. */
export interface OverdueRun {
  id: string;
  schedule_id: string | null;
  scheduled_for: Date | null;
  not_before: Date;
  start_deadline: Date;
  misfire: MisfirePolicy | null;
  catchup_window_ms: number | null;
  /** A newer run of its schedule is due too (under `run_once` it stands for this one). */
  newer_due: boolean;
}

/**
 * Locks (`SKIP LOCKED`) up to `batchSize` pending runs whose start deadline is before `now`.
 * Runs of an assistant with provider limits (or naming a provider), and runs a limit holds, are
 * left out unless their deadline is before `outageBefore` (they wait for their quota, not for a slot).
 */
export async function lockOverdueRuns(
  tx: Queryable,
  options: { now: Date; batchSize: number; outageBefore: Date | null },
): Promise<OverdueRun[]> {
  const { rows } = await tx.query<OverdueRun>(
    `SELECT r.id, r.schedule_id, r.scheduled_for, r.not_before, r.start_deadline, s.misfire, s.catchup_window_ms,
         s.misfire = 'run_once' AND EXISTS (SELECT 1 FROM runs n
           WHERE n.schedule_id = r.schedule_id AND n.status IN ('pending', 'running') AND n.not_before <= $1
             AND coalesce(n.scheduled_for, n.not_before) > coalesce(r.scheduled_for, r.not_before)) AS newer_due
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id
       WHERE r.status = 'pending' AND r.start_deadline < $1
         -- A run of an assistant with provider limits (its own, or a provider's it names), or one
         -- a limit holds (held_reason), waits for its quota, not for a slot: it never ends as
         -- capacity (an outage still applies its misfire policy).
         AND (r.start_deadline < $3::timestamptz OR (r.held_reason IS NULL AND NOT EXISTS (
           SELECT 1 FROM assistants a WHERE a.id = r.assistant_id
             AND (a.max_concurrent IS NOT NULL OR a.rate_limit IS NOT NULL OR a.provider IS NOT NULL))))
          -- Nor does a run queued behind its concurrency key (docs/gates.md).
          AND (r.start_deadline < $3::timestamptz OR r.concurrency_strategy IS DISTINCT FROM 'queue')
       ORDER BY r.start_deadline LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
    [options.now, options.batchSize, options.outageBefore],
  );
  return rows;
}

/** Marks runs found late (`late_by_ms = 0`) and moves each one's start deadline to `until`. */
export async function markRunsLate(tx: Queryable, late: ReadonlyArray<{ id: string; until: Date }>): Promise<void> {
  if (late.length === 0) return;
  await tx.query(
    `UPDATE runs r SET start_deadline = u.until, late_by_ms = 0
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, until) WHERE r.id = u.id`,
    [late.map((run) => run.id), late.map((run) => run.until)],
  );
}

/** A run ended before it started, as its schedule's counters need it. */
export type EndedRun = Pick<RunRow, 'id' | 'schedule_id' | 'status' | 'error_kind' | 'error'>;

/** Ends pending runs the misfire policy gave up on, each with its own status, kind and error. */
export async function endOverdueRuns(
  tx: Queryable,
  endings: ReadonlyArray<{ id: string; status: 'error' | 'skipped'; errorKind: string; error: string }>,
  finishedAt: Date,
): Promise<EndedRun[]> {
  if (endings.length === 0) return [];
  const { rows } = await tx.query<EndedRun>(
    `UPDATE runs r SET status = u.status, error = u.error, finished_at = $4, error_kind = u.error_kind
       FROM unnest($1::uuid[], $2::text[], $3::text[], $5::text[]) AS u(id, status, error, error_kind)
       WHERE r.id = u.id
       RETURNING r.id, r.schedule_id, r.status, r.error_kind, r.error`,
    [
      endings.map((e) => e.id),
      endings.map((e) => e.status),
      endings.map((e) => e.error),
      finishedAt,
      endings.map((e) => e.errorKind),
    ],
  );
  return rows;
}
