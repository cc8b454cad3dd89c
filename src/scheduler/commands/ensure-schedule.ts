import type { Actor } from '../../auth/actor.ts';
import {
  ensureSchedule,
  type EnsureOptions,
  type EnsureOutcome,
  type ScheduleEnsureInput,
} from '../schedule-ensure.ts';
import { uniqueViolation, type ScheduleContext } from './schedule-context.ts';

/**
 * The idempotent upsert by name (config declarations, `PUT /schedules/by-name/{name}`, SDK
 * `ensure`, CLI `apply`): creates the actor's schedule `body.name`, or updates, skips or refuses
 * an existing one by `options.ifExists` (see schedule-ensure.ts). Race-free across replicas.
 */
export async function ensureScheduleByName(
  context: ScheduleContext,
  actor: Actor,
  body: ScheduleEnsureInput,
  options: EnsureOptions = {},
): Promise<EnsureOutcome> {
  context.assertMayWrite(actor);
  const { db, clock, assistants, config } = context.options;
  try {
    return await ensureSchedule(
      {
        db,
        clock,
        assistants,
        rules: context.rules,
        prechecks: context.prechecks,
        cap: config.maxSchedulesPerUser,
        target: (who, assistantRef, workflowId) => context.target(who, assistantRef, workflowId),
        notifyScheduler: (tx, row) => context.notifyScheduler(tx, row),
        cancelPending: (tx, id, now, reason) => context.cancelPending(tx, id, now, reason),
      },
      actor,
      body,
      options,
    );
  } catch (error) {
    if (uniqueViolation(error)) throw context.nameTaken(body.name);
    throw error;
  }
}
