import type { Actor } from '../../auth/actor.ts';
import { retryConflicts } from '../../store/retry-conflicts.ts';
import { deleteSchedule } from '../../store/schedules.ts';
import type { ScheduleContext } from './schedule-context.ts';

/** Deletes the schedule; its pending runs are cancelled, its run history is kept. */
export async function deleteScheduleOf(context: ScheduleContext, actor: Actor, id: string): Promise<void> {
  context.assertMayWrite(actor);
  await context.visible(actor, id);
  const { db, clock } = context.options;
  // A finishing run that still deadlocks with the delete (a batch locking runs in another order) is retried.
  await retryConflicts(() =>
    db.transaction(async (tx) => {
      await context.cancelPending(tx, id, new Date(clock.now()), 'the schedule was deleted');
      await deleteSchedule(tx, id);
    }),
  );
}
