import type { Queryable } from './database.ts';

/**
 * Cancels every pending run of a schedule (it is being deleted or replaced), whether due or not;
 * running runs are left to finish. Returns the ids of the cancelled runs.
 */
export async function cancelPendingRuns(
  tx: Queryable,
  scheduleId: string,
  now: Date,
  reason: string,
): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE runs SET status = 'cancelled', error_kind = 'cancelled', error = $3, finished_at = $2
     WHERE schedule_id = $1 AND status = 'pending' RETURNING id`,
    [scheduleId, now, reason],
  );
  return rows.map((row) => row.id);
}
