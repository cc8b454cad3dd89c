import type { Actor } from '../../auth/actor.ts';
import { findSchedule, setScheduleConfig, updateScheduleColumns, type ScheduleRow } from '../../store/schedules.ts';
import { runnableAssistant, usableThread } from '../../auth/access.ts';
import { firstFireAt, occurrenceSpecOf } from '../next-fire.ts';
import { parseScheduleInput, scheduleUpdateSchema, type ScheduleUpdateInput } from '../schedule-input.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import { changedColumns } from '../schedule-spec.ts';
import { uniqueViolation, type ScheduleContext } from './schedule-context.ts';

/**
 * Changes the given fields. Changing `schedule` (or its zone), `start_at`, `end_at` or
 * `max_runs` recomputes the next fire time; any other change keeps it.
 */
export async function updateSchedule(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  body: ScheduleUpdateInput,
): Promise<ScheduleResource> {
  context.assertMayWrite(actor);
  const patch = parseScheduleInput(scheduleUpdateSchema, body);
  await context.visible(actor, id);
  await context.prechecks.validate(patch.precheck);
  const { db, clock } = context.options;
  const assistantId =
    patch.assistant_id === undefined
      ? undefined
      : (await runnableAssistant(context.options.assistants, actor, patch.assistant_id)).id;
  if (patch.workflow_id !== undefined) await context.runnableWorkflow(actor, patch.workflow_id);
  if (patch.thread_id) await usableThread(db, actor, patch.thread_id);
  try {
    const row = await db.transaction(async (tx) => {
      const current = (await findSchedule(tx, id, { forUpdate: true })) ?? context.missing(id);
      const now = clock.now();
      const { changes, timing } = changedColumns(current, patch, context.rules, now);
      if (assistantId !== undefined) changes.assistant_id = assistantId;
      const pauseState: Partial<Pick<ScheduleRow, 'paused_at' | 'paused_by' | 'pause_note'>> = {};
      if (changes.enabled === false && current.enabled)
        Object.assign(pauseState, { paused_at: new Date(now), paused_by: actor.userId, pause_note: null });
      if (changes.enabled === true && !current.enabled)
        Object.assign(pauseState, { paused_at: null, paused_by: null, pause_note: null });
      if (patch.config !== undefined) await setScheduleConfig(tx, id, patch.config);
      const merged = { ...current, ...changes };
      const engine: Partial<Pick<ScheduleRow, 'next_run_at' | 'completed_at'>> = {};
      if (timing) {
        const remaining = merged.max_runs === null ? null : merged.max_runs - current.occurrence_count;
        const next = firstFireAt(
          occurrenceSpecOf(merged),
          now,
          current.last_scheduled_for?.getTime() ?? null,
          remaining,
        );
        engine.next_run_at = next === null ? null : new Date(next);
        engine.completed_at = next === null ? (current.completed_at ?? new Date(now)) : null;
      }
      const updated = (await updateScheduleColumns(tx, id, { ...changes, ...engine, ...pauseState }, new Date(now)))!;
      await context.notifyScheduler(tx, updated);
      return updated;
    });
    return toScheduleResource(row);
  } catch (error) {
    if (uniqueViolation(error)) throw context.nameTaken(patch.name ?? '');
    throw error;
  }
}
