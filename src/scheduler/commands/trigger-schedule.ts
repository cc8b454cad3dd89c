import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { invalid } from '../../errors.ts';
import { findRun, insertRuns } from '../../store/runs.ts';
import { findSchedule, reserveRunNumbers } from '../../store/schedules.ts';
import { toRunResource, type RunResource } from '../../worker/run-resource.ts';
import { runnableAssistant } from '../access.ts';
import { renderInputTemplate } from '../input-template.ts';
import type { ScheduleContext } from './schedule-context.ts';

export interface TriggerOptions {
  /** `obey` (default): the manual run follows the schedule's overlap policy; `override` starts regardless. */
  overlap?: 'obey' | 'override';
  /** Input for this run instead of the rendered `input_template`. */
  input?: unknown;
}

/**
 * Creates a run now, tagged `trigger: "manual"`, with the next run number. It follows the
 * overlap policy unless `overlap: 'override'`; the schedule's next fire time does not move.
 */
export function triggerSchedule(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  options: TriggerOptions = {},
): Promise<RunResource> {
  return manualTrigger.call(context, actor, id, options);
}

/**
 * The body of ScheduleService.trigger, moved line for line (`this` is the command context): the
 * kernel's one createRuns() replaces its run creation, and the change re-applies here unchanged.
 */
async function manualTrigger(
  this: ScheduleContext,
  actor: Actor,
  id: string,
  options: TriggerOptions,
): Promise<RunResource> {
  this.assertMayWrite(actor);
  const overlap = z.enum(['obey', 'override']).optional().safeParse(options.overlap);
  if (!overlap.success) throw invalid('overlap', 'must be "obey" or "override"');
  const visible = await this.visible(actor, id);
  if (visible.assistant_id) await runnableAssistant(this.options.assistants, actor, visible.assistant_id);
  if (visible.workflow_id) await this.runnableWorkflow(actor, visible.workflow_id);
  const { db, clock, startDeadlineMs } = this.options;
  const runId = randomUUID();
  await db.transaction(async (tx) => {
    const runNumber = (await reserveRunNumbers(tx, id, 1)) ?? this.missing(id);
    const schedule = (await findSchedule(tx, id))!;
    const now = clock.now();
    await insertRuns(tx, [
      {
        id: runId,
        schedule_id: id,
        assistant_id: schedule.assistant_id,
        workflow_id: schedule.workflow_id,
        thread_id: schedule.thread_id,
        owner_id: schedule.owner_id,
        trigger: 'manual',
        scheduled_for: new Date(now),
        not_before: new Date(now),
        start_deadline: new Date(now + startDeadlineMs),
        run_number: runNumber,
        input:
          options.input !== undefined
            ? options.input
            : renderInputTemplate(schedule.input_template, {
                occurrenceMs: now,
                timezone: schedule.timezone,
                runNumber,
                scheduleId: id,
                scheduleName: schedule.name,
              }),
        metadata: { triggered_by: actor.userId, overlap: overlap.data ?? 'obey' },
        max_attempts: schedule.retry_max_attempts,
        timeout_ms: schedule.timeout_ms,
        retry_backoff_ms: schedule.retry_backoff_ms,
        retry_backoff_factor: schedule.retry_backoff_factor,
        retry_backoff_max_ms: schedule.retry_backoff_max_ms,
        ignore_overlap: overlap.data === 'override',
        created_at: new Date(now),
      },
    ]);
    await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(now)]);
  });
  return toRunResource((await findRun(db, runId))!);
}
