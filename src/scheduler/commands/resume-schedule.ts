import type { Actor } from '../../auth/actor.ts';
import { appendScheduleEvents } from '../../store/schedule-events.ts';
import { findSchedule, updateScheduleColumns, type ScheduleRow } from '../../store/schedules.ts';
import { firstFireAt, occurrenceSpecOf } from '../next-fire.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import type { ScheduleContext } from './schedule-context.ts';

/**
 * Fires again. What was missed while paused is not fired, unless the misfire policy asks for it
 * (`run_once`: one run for the missed occurrences within the catch-up window; `run_all`: each).
 */
export async function resumeSchedule(context: ScheduleContext, actor: Actor, id: string): Promise<ScheduleResource> {
  context.assertMayWrite(actor);
  await context.visible(actor, id);
  const { db, clock } = context.options;
  const row = await db.transaction(async (tx) => {
    const current = (await findSchedule(tx, id, { forUpdate: true })) ?? context.missing(id);
    if (current.enabled) return current;
    const now = clock.now();
    const changes: Partial<Pick<ScheduleRow, 'enabled' | 'next_run_at' | 'paused_at' | 'paused_by' | 'pause_note'>> = {
      enabled: true,
      paused_at: null,
      paused_by: null,
      pause_note: null,
    };
    if (current.misfire === 'skip' && !current.completed_at) {
      const remaining = current.max_runs === null ? null : current.max_runs - current.occurrence_count;
      const next = firstFireAt(
        occurrenceSpecOf(current),
        now,
        current.last_scheduled_for?.getTime() ?? null,
        remaining,
      );
      changes.next_run_at = next === null ? null : new Date(next);
    }
    // A resumed streak starts over, or pause_after_failures would pause it again at the next failure.
    if (current.pause_after_failures !== null && current.consecutive_failures >= current.pause_after_failures) {
      Object.assign(changes, { consecutive_failures: 0, alerted_streak: false });
    }
    const updated = (await updateScheduleColumns(tx, id, changes, new Date(now)))!;
    await appendScheduleEvents(tx, [
      { scheduleId: id, kind: 'resumed', at: new Date(now), data: { by: actor.userId } },
    ]);
    await context.notifyScheduler(tx, updated);
    return updated;
  });
  return toScheduleResource(row);
}
