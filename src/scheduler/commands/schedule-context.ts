import type { AssistantService } from '../../agents/assistant-service.ts';
import { assertAdmin, assertCanWrite, canSee, type Actor } from '../../auth/actor.ts';
import type { Clock } from '../../clock.ts';
import type { Config } from '../../config.ts';
import { KairosError, invalid, notFound } from '../../errors.ts';
import { z } from 'zod';
import { cancelPendingRuns } from '../../store/cancel-pending-runs.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { notifyRunsFinished, notifySchedules } from '../../store/notifications.ts';
import { findSchedule, type ScheduleRow } from '../../store/schedules.ts';
import type { WorkflowService } from '../../workflows/workflow-service.ts';
import { runnableAssistant } from '../../auth/access.ts';
import type { SpecRules } from '../schedule-spec.ts';
import { PrecheckService } from '../../gates/precheck-service.ts';

export interface ScheduleServiceOptions {
  db: Database;
  clock: Clock;
  config: Pick<Config['scheduler'], 'allowSeconds' | 'maxSchedulesPerUser' | 'requireAdmin'>;
  /** Manual runs must start within this long (`capacity` otherwise). */
  startDeadlineMs: number;
  /** Resolves and checks the assistant a schedule targets (an id or a graph id). */
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** Checks the workflow a schedule targets (`workflow_id`). */
  workflows: Pick<WorkflowService, 'runnable'>;
  /** Checks a schedule's `precheck` (CEL, timeout, address guard); the environment's guard when absent. */
  prechecks?: Pick<PrecheckService, 'validate'>;
}

export const uniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/**
 * What every schedule command works with: the service's dependencies and the checks they share
 * (who may write, which schedule the actor sees, the target, the wake-ups of a change).
 */
export class ScheduleContext {
  readonly rules: SpecRules;
  readonly prechecks: Pick<PrecheckService, 'validate'>;

  constructor(readonly options: ScheduleServiceOptions) {
    this.rules = { allowSeconds: options.config.allowSeconds };
    this.prechecks = options.prechecks ?? new PrecheckService({ db: options.db });
  }

  /** The target of a new schedule: exactly one of an assistant (id or graph id) and a workflow. */
  async target(
    actor: Actor,
    assistantRef: string | undefined,
    workflowId: string | undefined,
  ): Promise<{ name: string; columns: Pick<ScheduleRow, 'target_kind' | 'assistant_id' | 'workflow_id'> }> {
    if ((assistantRef === undefined) === (workflowId === undefined)) {
      throw invalid(
        assistantRef === undefined ? 'assistant_id' : 'workflow_id',
        assistantRef === undefined
          ? 'give the assistant_id or the workflow_id the schedule fires'
          : 'give one of assistant_id or workflow_id, not both: a schedule targets one of them',
      );
    }
    if (workflowId !== undefined) {
      const workflow = await this.runnableWorkflow(actor, workflowId);
      return {
        name: workflow.name,
        columns: { target_kind: 'workflow', assistant_id: null, workflow_id: workflow.id },
      };
    }
    const assistant = await runnableAssistant(this.options.assistants, actor, assistantRef!);
    return {
      name: assistant.name,
      columns: { target_kind: 'assistant', assistant_id: assistant.id, workflow_id: null },
    };
  }

  async runnableWorkflow(actor: Actor, id: string): Promise<{ id: string; name: string }> {
    return this.options.workflows.runnable(actor, id);
  }

  assertMayWrite(actor: Actor): void {
    assertCanWrite(actor, 'change schedules');
    if (this.options.config.requireAdmin)
      assertAdmin(actor, 'change schedules on this server (KAIROS_SCHEDULES_REQUIRE_ADMIN)');
  }

  /** The schedule if the actor may see it; `not_found` otherwise (another user's schedule too). */
  async visible(actor: Actor, id: string): Promise<ScheduleRow> {
    const row = z.uuid().safeParse(id).success ? await findSchedule(this.options.db, id) : undefined;
    if (!row || !canSee(actor, row.owner_id)) throw notFound('schedule', id);
    return row;
  }

  missing(id: string): never {
    throw notFound('schedule', id);
  }

  nameTaken(name: string): KairosError {
    return new KairosError('name_taken', `a schedule named "${name}" already exists; choose another name`, {
      status: 409,
      details: { field: 'name', value: name },
    });
  }

  /** Cancels the schedule's pending runs and tells their waiters. */
  async cancelPending(tx: Queryable, id: string, now: Date, reason: string): Promise<void> {
    await this.notifyFinished(tx, await cancelPendingRuns(tx, id, now, reason));
  }

  async notifyFinished(tx: Queryable, runIds: readonly string[]): Promise<void> {
    await notifyRunsFinished(tx, this.options.db, runIds);
  }

  /** Wakes the scheduler loops when the schedule fires: they re-arm their timer. */
  async notifyScheduler(tx: Queryable, row: ScheduleRow): Promise<void> {
    if (row.enabled && row.next_run_at) await notifySchedules(tx, this.options.db, row.next_run_at.getTime());
  }
}
