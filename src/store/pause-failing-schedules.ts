import type { Queryable } from './database.ts';

/** A schedule paused for its failure streak, with what its alert needs. */
export interface AutoPausedSchedule {
  id: string;
  name: string;
  owner_id: string;
  webhook: string | null;
  consecutive_failures: number;
  alert_after: number;
  pause_after_failures: number;
}

/**
 * Pauses those of the given schedules whose failure streak has reached their
 * `pause_after_failures` (`paused_by` null, a note saying why) and returns them; enabled,
 * unfinished schedules only, so a schedule is paused once.
 */
export async function pauseSchedulesAtStreak(
  tx: Queryable,
  scheduleIds: readonly string[],
  now: Date,
): Promise<AutoPausedSchedule[]> {
  const { rows } = await tx.query<AutoPausedSchedule>(
    `UPDATE schedules SET enabled = false, paused_at = $2, paused_by = NULL,
       pause_note = 'paused automatically after ' || consecutive_failures || ' consecutive failures (pause_after_failures: ' || pause_after_failures || ')',
       version = version + 1, updated_at = $2
     WHERE id = ANY($1::uuid[]) AND enabled AND completed_at IS NULL
       AND pause_after_failures IS NOT NULL AND consecutive_failures >= pause_after_failures
     RETURNING id, name, owner_id, webhook, consecutive_failures, alert_after, pause_after_failures`,
    [[...new Set(scheduleIds)], now],
  );
  return rows;
}
