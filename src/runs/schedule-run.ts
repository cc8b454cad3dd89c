import type { ScheduleRow } from '../store/schedules.ts';
import type { RunDraft } from './create-runs.ts';
import { runConcurrency } from './flow-control.ts';
import { renderInputTemplate } from './input-template.ts';
import type { RunPolicy } from './run-policy.ts';

/** The columns of a schedule a run of it needs. */
export type ScheduleOfRun = Pick<
  ScheduleRow,
  | 'id'
  | 'name'
  | 'owner_id'
  | 'assistant_id'
  | 'workflow_id'
  | 'thread_id'
  | 'timezone'
  | 'input_template'
  | 'timeout_ms'
  | 'retry_max_attempts'
  | 'retry_backoff_ms'
  | 'retry_backoff_factor'
  | 'retry_backoff_max_ms'
  | 'config'
  | 'metadata'
  | 'concurrency'
  | 'priority'
>;

/** One occurrence of a schedule to run: scheduled, triggered by hand or backfilled. */
export interface ScheduleOccurrenceRun {
  trigger: 'schedule' | 'manual' | 'backfill';
  /** The occurrence's nominal time (ms); the input template renders for it. */
  scheduledFor: number;
  notBefore: number;
  /** Null: it waits for a slot as long as it takes. */
  startDeadline: number | null;
  runNumber: number;
  createdAt: Date;
  /** The run's own metadata (Kairos's bookkeeping: `triggered_by`, `overlap`, `backfill`, `misfire`). */
  metadata: Record<string, unknown>;
  /** Replaces the schedule's rendered input template (a manual run with its own input). */
  input?: unknown;
  ignoreOverlap?: boolean;
  waitsForSlot?: boolean;
}

/** The timeout and retries a schedule gives each of its runs. */
export function schedulePolicy(schedule: ScheduleOfRun): RunPolicy {
  return {
    max_attempts: schedule.retry_max_attempts,
    timeout_ms: schedule.timeout_ms,
    retry_backoff_ms: schedule.retry_backoff_ms,
    retry_backoff_factor: schedule.retry_backoff_factor,
    retry_backoff_max_ms: schedule.retry_backoff_max_ms,
  };
}

/**
 * A cron made through the LangGraph routes (`config.api`) gives its `metadata` to every run it
 * fires, as LangGraph documents ("metadata for the cron's runs"), with the run's own over it:
 * stored at creation, so the native API and the LangGraph routes show the same. Native
 * schedules' metadata describes the schedule only.
 */
function runMetadata(schedule: ScheduleOfRun, own: Record<string, unknown>): Record<string, unknown> {
  return schedule.config?.api === 'langgraph' ? { ...schedule.metadata, ...own } : own;
}

/**
 * The run of one occurrence of a schedule: its target (assistant or workflow), owner, thread,
 * policy and rendered input, for {@link createRuns}. Scheduler, manual trigger and backfill
 * all build their runs here.
 */
export function scheduleRunDraft(schedule: ScheduleOfRun, occurrence: ScheduleOccurrenceRun): RunDraft {
  const input =
    occurrence.input !== undefined
      ? occurrence.input
      : renderInputTemplate(schedule.input_template, {
          occurrenceMs: occurrence.scheduledFor,
          timezone: schedule.timezone,
          runNumber: occurrence.runNumber,
          scheduleId: schedule.id,
          scheduleName: schedule.name,
        });
  return {
    schedule_id: schedule.id,
    assistant_id: schedule.assistant_id,
    workflow_id: schedule.workflow_id,
    thread_id: schedule.thread_id,
    owner_id: schedule.owner_id,
    trigger: occurrence.trigger,
    scheduled_for: new Date(occurrence.scheduledFor),
    not_before: new Date(occurrence.notBefore),
    start_deadline: occurrence.startDeadline === null ? null : new Date(occurrence.startDeadline),
    run_number: occurrence.runNumber,
    input,
    metadata: runMetadata(schedule, occurrence.metadata),
    policy: schedulePolicy(schedule),
    ignore_overlap: occurrence.ignoreOverlap ?? false,
    ...(occurrence.waitsForSlot !== undefined && { waits_for_slot: occurrence.waitsForSlot }),
    priority: schedule.priority ?? 3,
    // The schedule's key over the run input; without one, a workflow run takes its workflow's.
    ...(schedule.concurrency && {
      concurrency: runConcurrency(schedule.concurrency, `schedule:${schedule.id}`, { input }),
    }),
    created_at: occurrence.createdAt,
  };
}
