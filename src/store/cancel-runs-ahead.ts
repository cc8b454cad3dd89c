import type { Queryable } from './database.ts';

/**
 * Cancels the pending runs of the given schedules that were created ahead of their time: not yet
 * due (`not_before` and `scheduled_for` after `now`) and never attempted (`attempt = 1`). A run
 * that is due, waiting for a slot or for recovery, or waiting for its retry, is left to run: a
 * pause stops future occurrences, it does not drop work that is already owed. Returns the ids.
 */
export async function cancelRunsAhead(
  tx: Queryable,
  scheduleIds: readonly string[],
  now: Date,
  reason: string,
): Promise<string[]> {
  if (scheduleIds.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE runs SET status = 'cancelled', error_kind = 'cancelled', error = $3, finished_at = $2
     WHERE schedule_id = ANY($1::uuid[]) AND status = 'pending' AND attempt = 1
       AND not_before > $2 AND (scheduled_for IS NULL OR scheduled_for > $2)
     RETURNING id`,
    [scheduleIds, now, reason],
  );
  return rows.map((row) => row.id);
}
