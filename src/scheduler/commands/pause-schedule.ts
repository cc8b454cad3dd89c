import type { Actor } from '../../auth/actor.ts';
import { cancelRunsAhead } from '../../store/cancel-runs-ahead.ts';
import { appendScheduleEvents } from '../../store/schedule-events.ts';
import { findSchedule, updateScheduleColumns } from '../../store/schedules.ts';
import { parseScheduleInput, pauseSchema, type PauseInput } from '../schedule-input.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import type { ScheduleContext } from './schedule-context.ts';

/**
 * Stops firing; keeps the whole configuration. The note, who paused and when are shown on the
 * schedule (`paused`) until it is resumed. Only runs created ahead of their time are cancelled:
 * a run that is already due (waiting for a slot or for recovery) or already attempted still runs.
 */
export async function pauseSchedule(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  body: PauseInput = {},
): Promise<ScheduleResource> {
  context.assertMayWrite(actor);
  const { note } = parseScheduleInput(pauseSchema, body ?? {});
  await context.visible(actor, id);
  const { db, clock } = context.options;
  const row = await db.transaction(async (tx) => {
    const now = new Date(clock.now());
    const current = (await findSchedule(tx, id, { forUpdate: true })) ?? context.missing(id);
    // Pausing a paused schedule may change its note, but keeps when and by whom it was paused.
    const since =
      !current.enabled && current.paused_at
        ? { paused_at: current.paused_at, paused_by: current.paused_by }
        : { paused_at: now, paused_by: actor.userId };
    const updated = (await updateScheduleColumns(
      tx,
      id,
      { enabled: false, ...since, pause_note: note ?? (current.enabled ? null : current.pause_note) },
      now,
    ))!;
    if (current.enabled) {
      await appendScheduleEvents(tx, [
        { scheduleId: id, kind: 'paused', at: now, data: { by: actor.userId, automatic: false, note: note ?? null } },
      ]);
    }
    const cancelled = await cancelRunsAhead(tx, [id], now, 'the schedule was paused');
    await context.notifyFinished(tx, cancelled);
    return updated;
  });
  return toScheduleResource(row);
}
