import type { Actor } from '../../auth/actor.ts';
import { deleteSchedule } from '../../store/schedules.ts';
import type { ScheduleContext } from './schedule-context.ts';

/** Deletes the schedule; its pending runs are cancelled, its run history is kept. */
export async function deleteScheduleOf(context: ScheduleContext, actor: Actor, id: string): Promise<void> {
  context.assertMayWrite(actor);
  await context.visible(actor, id);
  const { db, clock } = context.options;
  await db.transaction(async (tx) => {
    await context.cancelPending(tx, id, new Date(clock.now()), 'the schedule was deleted');
    await deleteSchedule(tx, id);
  });
}
