import type { Queryable } from './database.ts';
import type { ScheduleRow } from './schedules.ts';

/**
 * Locks up to `batchSize` enabled schedules due by `dueBy` (`FOR UPDATE SKIP LOCKED`, so that
 * replicas take disjoint batches), earliest first.
 */
export async function lockDueSchedules(tx: Queryable, dueBy: Date, batchSize: number): Promise<ScheduleRow[]> {
  const { rows } = await tx.query<ScheduleRow>(
    `SELECT * FROM schedules WHERE enabled AND next_run_at <= $1
       ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [dueBy, batchSize],
  );
  return rows;
}

/** What one claim did to each schedule, column by column (one entry per schedule, same order). */
export interface ScheduleAdvance {
  id: string[];
  next: Array<Date | null>;
  fired: number[];
  missed: number[];
  last: Array<Date | null>;
  completed: boolean[];
  excluded: number[];
}

/**
 * Advances claimed schedules in one statement: their next fire time, counters, last occurrence,
 * and `completed_at` (`completedAt` for those that fired their last occurrence, else NULL).
 */
export async function advanceSchedules(tx: Queryable, updates: ScheduleAdvance, completedAt: Date): Promise<void> {
  await tx.query(
    `UPDATE schedules s SET
         next_run_at = u.next_run_at,
         run_count = s.run_count + u.fired,
         occurrence_count = s.occurrence_count + u.fired,
         missed_count = s.missed_count + u.missed,
         excluded_count = s.excluded_count + u.excluded,
         last_scheduled_for = coalesce(u.last_scheduled_for, s.last_scheduled_for),
         completed_at = CASE WHEN u.completed THEN $7::timestamptz ELSE NULL END
       FROM unnest($1::uuid[], $2::timestamptz[], $3::int4[], $4::int4[], $5::timestamptz[], $6::bool[], $8::int4[])
         AS u(id, next_run_at, fired, missed, last_scheduled_for, completed, excluded)
       WHERE s.id = u.id`,
    [
      updates.id,
      updates.next,
      updates.fired,
      updates.missed,
      updates.last,
      updates.completed,
      completedAt,
      updates.excluded,
    ],
  );
}

/** The occurrences among `times` that already have a run (of the schedule or a backfill) of this schedule. */
export async function occurrencesWithRuns(tx: Queryable, scheduleId: string, times: readonly Date[]): Promise<Date[]> {
  const { rows } = await tx.query<{ at: Date }>(
    `SELECT scheduled_for AS at FROM runs
       WHERE schedule_id = $1 AND trigger IN ('schedule', 'backfill') AND scheduled_for = ANY($2::timestamptz[])`,
    [scheduleId, times],
  );
  return rows.map((row) => row.at);
}
