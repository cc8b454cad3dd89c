import type { Actor } from '../auth/actor.ts';
import type { ScheduleCreator } from '../store/schedules.ts';
import type { RunResource } from '../runs/run-resource.ts';
import type { BackfillInput, BackfillResult } from './backfill.ts';
import { backfillScheduleOf } from './commands/backfill-schedule.ts';
import { createSchedule } from './commands/create-schedule.ts';
import { deleteScheduleOf } from './commands/delete-schedule.ts';
import { ensureScheduleByName } from './commands/ensure-schedule.ts';
import { getScheduleRates } from './commands/get-schedule-rates.ts';
import { getScheduleStats } from './commands/get-schedule-stats.ts';
import { getSchedule } from './commands/get-schedule.ts';
import { listScheduleEventsOf, type ScheduleEvent } from './commands/list-schedule-events.ts';
import { listSchedulesOf, type ScheduleListPage } from './commands/list-schedules.ts';
import { pauseSchedule } from './commands/pause-schedule.ts';
import { previewSavedSchedule } from './commands/preview-saved-schedule.ts';
import { previewSchedule, type SchedulePreview } from './commands/preview-schedule.ts';
import { resumeSchedule } from './commands/resume-schedule.ts';
import { ScheduleContext, type ScheduleServiceOptions } from './commands/schedule-context.ts';
import { searchSchedules, type ScheduleSearch } from './commands/search-schedules.ts';
import { triggerSchedule, type TriggerOptions } from './commands/trigger-schedule.ts';
import { updateSchedule } from './commands/update-schedule.ts';
import type { EnsureOptions, EnsureOutcome, ScheduleEnsureInput } from './schedule-ensure.ts';
import type {
  PauseInput,
  PreviewInput,
  ScheduleCreateInput,
  ScheduleListInput,
  ScheduleUpdateInput,
} from './schedule-input.ts';
import type { ScheduleResource } from './schedule-resource.ts';
import type { ScheduleStats } from '../store/schedule-stats.ts';

export type { ScheduleServiceOptions } from './commands/schedule-context.ts';
export type { ScheduleListPage } from './commands/list-schedules.ts';
export type { ScheduleSearch } from './commands/search-schedules.ts';
export type { SchedulePreview } from './commands/preview-schedule.ts';
export type { TriggerOptions } from './commands/trigger-schedule.ts';

/**
 * Schedules: create, read, list, update, pause, resume, delete, trigger, preview, stats. Each
 * command is one file in ./commands; this object holds their dependencies for the callers (API
 * routes, tools, CLI). Every method takes the calling actor: admins see every schedule, others only
 * their own (another user's schedule is `not_found`, 404). Bodies are parsed strictly with zod.
 *
 * @example
 * const schedule = await kairos.schedules.create(actor, {
 *   assistant_id, schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
 *   input_template: 'Generate the daily summary for {{date}}.',
 * });
 * schedule.next_run_at // '2026-03-09T13:00:00.000Z'
 */
export class ScheduleService {
  private readonly context: ScheduleContext;

  constructor(options: ScheduleServiceOptions) {
    this.context = new ScheduleContext(options);
  }

  /** See {@link createSchedule}. */
  create(
    actor: Actor,
    body: ScheduleCreateInput,
    options?: { createdBy?: ScheduleCreator },
  ): Promise<ScheduleResource> {
    return createSchedule(this.context, actor, body, options);
  }

  /** See {@link ensureScheduleByName}. */
  ensure(actor: Actor, body: ScheduleEnsureInput, options?: EnsureOptions): Promise<EnsureOutcome> {
    return ensureScheduleByName(this.context, actor, body, options);
  }

  get(actor: Actor, id: string): Promise<ScheduleResource> {
    return getSchedule(this.context, actor, id);
  }

  /** See {@link listSchedulesOf}. */
  list(actor: Actor, filters?: ScheduleListInput): Promise<ScheduleListPage> {
    return listSchedulesOf(this.context, actor, filters);
  }

  /** See {@link searchSchedules}. */
  search(actor: Actor, filters: ScheduleSearch): Promise<{ items: ScheduleResource[]; total: number }> {
    return searchSchedules(this.context, actor, filters);
  }

  /** See {@link updateSchedule}. */
  update(actor: Actor, id: string, body: ScheduleUpdateInput): Promise<ScheduleResource> {
    return updateSchedule(this.context, actor, id, body);
  }

  /** See {@link pauseSchedule}. */
  pause(actor: Actor, id: string, body?: PauseInput): Promise<ScheduleResource> {
    return pauseSchedule(this.context, actor, id, body);
  }

  /** See {@link resumeSchedule}. */
  resume(actor: Actor, id: string): Promise<ScheduleResource> {
    return resumeSchedule(this.context, actor, id);
  }

  /** See {@link deleteScheduleOf}. */
  delete(actor: Actor, id: string): Promise<void> {
    return deleteScheduleOf(this.context, actor, id);
  }

  /** See {@link triggerSchedule}. */
  trigger(actor: Actor, id: string, options?: TriggerOptions): Promise<RunResource> {
    return triggerSchedule(this.context, actor, id, options);
  }

  /** See {@link backfillScheduleOf}. */
  backfill(actor: Actor, id: string, body: BackfillInput): Promise<BackfillResult> {
    return backfillScheduleOf(this.context, actor, id, body);
  }

  /** See {@link previewSchedule}. */
  preview(body: PreviewInput, options?: { count?: number; from?: Date }): SchedulePreview {
    return previewSchedule(this.context, body, options);
  }

  /** See {@link previewSavedSchedule}. */
  previewSaved(actor: Actor, id: string, options?: { count?: number }): Promise<SchedulePreview> {
    return previewSavedSchedule(this.context, actor, id, options);
  }

  /** See {@link getScheduleStats}. */
  stats(actor: Actor, id: string, options?: { windowMs?: number }): Promise<ScheduleStats> {
    return getScheduleStats(this.context, actor, id, options);
  }

  /** See {@link getScheduleRates}. */
  rates(actor: Actor, input: { ids: string; windowMs?: number }): ReturnType<typeof getScheduleRates> {
    return getScheduleRates(this.context, actor, input);
  }

  /** See {@link listScheduleEventsOf}. */
  events(actor: Actor, id: string, options?: { kind?: string; limit?: number }): Promise<ScheduleEvent[]> {
    return listScheduleEventsOf(this.context, actor, id, options);
  }
}
