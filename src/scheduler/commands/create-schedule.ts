import { randomUUID } from 'node:crypto';
import type { Actor } from '../../auth/actor.ts';
import { KairosError } from '../../errors.ts';
import {
  countSchedulesOwnedBy,
  insertSchedule,
  lockScheduleOwner,
  setScheduleConfig,
  type ScheduleCreator,
} from '../../store/schedules.ts';
import { usableThread } from '../../auth/access.ts';
import { firstFireAt, occurrenceSpecOf } from '../next-fire.ts';
import { parseScheduleInput, scheduleCreateSchema, type ScheduleCreateInput } from '../schedule-input.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import { newScheduleColumns } from '../schedule-spec.ts';
import { uniqueViolation, type ScheduleContext } from './schedule-context.ts';

/** `options.createdBy` records an agent that created the schedule for its owner (the scheduler tools). */
export async function createSchedule(
  context: ScheduleContext,
  actor: Actor,
  body: ScheduleCreateInput,
  options: { createdBy?: ScheduleCreator } = {},
): Promise<ScheduleResource> {
  context.assertMayWrite(actor);
  const input = parseScheduleInput(scheduleCreateSchema, body);
  const { db, clock } = context.options;
  const now = clock.now();
  await context.prechecks.validate(input.precheck);
  const target = await context.target(actor, input.assistant_id, input.workflow_id);
  const columns = { ...newScheduleColumns(input, context.rules, now), ...target.columns };
  if (columns.thread_id) await usableThread(db, actor, columns.thread_id);
  const id = randomUUID();
  const name = input.name ?? `${target.name}-${id.slice(0, 8)}`;
  const next = firstFireAt(occurrenceSpecOf(columns), now, null, columns.max_runs);
  const cap = context.options.config.maxSchedulesPerUser;
  try {
    const row = await db.transaction(async (tx) => {
      // Serialises creates per owner, so concurrent creates cannot pass the cap together.
      await lockScheduleOwner(tx, db.schema, actor.userId);
      if (cap > 0 && (await countSchedulesOwnedBy(tx, actor.userId)) >= cap) {
        throw new KairosError(
          'schedule_cap_reached',
          `you already own ${cap} schedules, the most allowed (KAIROS_MAX_SCHEDULES_PER_USER); delete one first`,
          {
            status: 429,
            details: { cap },
          },
        );
      }
      let inserted = await insertSchedule(tx, {
        ...columns,
        id,
        name,
        owner_id: actor.userId,
        next_run_at: next === null ? null : new Date(next),
        completed_at: next === null ? new Date(now) : null,
        created_at: new Date(now),
        ...(options.createdBy && { created_by: options.createdBy }),
      });
      if (Object.keys(input.config).length > 0) inserted = await setScheduleConfig(tx, id, input.config);
      await context.notifyScheduler(tx, inserted);
      return inserted;
    });
    return toScheduleResource(row);
  } catch (error) {
    if (uniqueViolation(error)) throw context.nameTaken(name);
    throw error;
  }
}
