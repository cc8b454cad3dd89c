import type { Queryable } from './database.ts';

/** One schedule's share of a batch of finished runs (see recordOutcomes). */
export interface ScheduleOutcome {
  scheduleId: string;
  /** A success ended the streak (the failures after it are `add`). */
  reset: boolean;
  /** Failures that extend the streak. */
  add: number;
  /** The latest finished run's time and status. */
  finishedAt: Date;
  status: string;
}

/** A schedule as updated; `crossed` when its streak reached `alert_after` in this update. */
export interface ScheduleOutcomeRow {
  id: string;
  name: string;
  owner_id: string;
  webhook: string | null;
  consecutive_failures: number;
  alert_after: number;
  crossed: boolean;
  /** The 1-based position of its entry in the outcomes given. */
  idx: number;
}

/** Updates the last run and failure streak of many schedules in one statement. */
export async function updateScheduleOutcomes(
  tx: Queryable,
  outcomes: readonly ScheduleOutcome[],
): Promise<ScheduleOutcomeRow[]> {
  const { rows } = await tx.query<ScheduleOutcomeRow>(
    `UPDATE schedules s SET
       consecutive_failures = CASE WHEN u.reset THEN u.add ELSE s.consecutive_failures + u.add END,
       alerted_streak = CASE
         WHEN (CASE WHEN u.reset THEN u.add ELSE s.consecutive_failures + u.add END) >= s.alert_after THEN true
         WHEN u.reset THEN false ELSE s.alerted_streak END,
       last_run_at = u.finished_at,
       last_run_status = u.status
     FROM unnest($1::uuid[], $2::bool[], $3::int4[], $4::timestamptz[], $5::text[]) WITH ORDINALITY
       AS u(schedule_id, reset, add, finished_at, status, idx)
     WHERE s.id = u.schedule_id
     RETURNING s.id, s.name, s.owner_id, s.webhook, s.consecutive_failures, s.alert_after, u.idx::int AS idx,
       (u.add > 0 AND s.consecutive_failures >= s.alert_after
        AND (u.reset OR s.consecutive_failures - u.add < s.alert_after)) AS crossed`,
    [
      outcomes.map((o) => o.scheduleId),
      outcomes.map((o) => o.reset),
      outcomes.map((o) => o.add),
      outcomes.map((o) => o.finishedAt),
      outcomes.map((o) => o.status),
    ],
  );
  return rows;
}
