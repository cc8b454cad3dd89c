import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { invalid } from '../../errors.ts';
import { createRuns } from '../../runs/create-runs.ts';
import { toRunResource, type RunResource } from '../../runs/run-resource.ts';
import { scheduleRunDraft } from '../../runs/schedule-run.ts';
import { findRun } from '../../store/runs.ts';
import { findSchedule, reserveRunNumbers } from '../../store/schedules.ts';
import { runnableAssistant } from '../../auth/access.ts';
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
export async function triggerSchedule(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  options: TriggerOptions = {},
): Promise<RunResource> {
  context.assertMayWrite(actor);
  const overlap = z.enum(['obey', 'override']).optional().safeParse(options.overlap);
  if (!overlap.success) throw invalid('overlap', 'must be "obey" or "override"');
  const visible = await context.visible(actor, id);
  if (visible.assistant_id) await runnableAssistant(context.options.assistants, actor, visible.assistant_id);
  if (visible.workflow_id) await context.runnableWorkflow(actor, visible.workflow_id);
  const { db, clock, startDeadlineMs } = context.options;
  const runId = randomUUID();
  await db.transaction(async (tx) => {
    const runNumber = (await reserveRunNumbers(tx, id, 1)) ?? context.missing(id);
    const schedule = (await findSchedule(tx, id))!;
    const now = clock.now();
    const draft = scheduleRunDraft(schedule, {
      trigger: 'manual',
      scheduledFor: now,
      notBefore: now,
      startDeadline: now + startDeadlineMs,
      runNumber,
      createdAt: new Date(now),
      metadata: { triggered_by: actor.userId, overlap: overlap.data ?? 'obey' },
      ...(options.input !== undefined && { input: options.input }),
      ignoreOverlap: overlap.data === 'override',
    });
    await createRuns(db, [{ ...draft, id: runId }], tx);
  });
  return toRunResource((await findRun(db, runId))!);
}
