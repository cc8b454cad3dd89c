import { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import { assertAdmin, assertCanWrite, canSee, type Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { invalid, KairosError, notFound } from '../errors.ts';
import { runnableAssistant, usableThread } from '../auth/access.ts';
import { parseInput } from '../parse-input.ts';
import type { Database } from '../store/database.ts';
import { notifyRunCancel, notifyRunsFinished } from '../store/notifications.ts';
import { listRunEvents } from '../store/run-events.ts';
import { listRunSteps } from '../store/run-steps.ts';
import { stepTree, type RunStepResource } from '../workflows/step-tree.ts';
import { cancelRun, findRun, listRuns, type RunRow } from '../store/runs.ts';
import { toRunEventResource, toRunResource, type RunEventResource, type RunResource } from '../runs/run-resource.ts';
import { RunWaiter } from './run-waiter.ts';
import { createApiRun, runCreateSchema, type RunCreateInput } from '../runs/api-run.ts';
import { finalStatuses, runStatuses, triggers } from '../runs/run-status.ts';
import { createReplayRun } from '../runs/replay-run.ts';
import { replayPlan } from '../workflows/replay-plan.ts';

export { runCreateSchema, type RunCreateInput } from '../runs/api-run.ts';

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone offset, e.g. 2026-03-09T09:00:00Z',
});

export const runListSchema = z.strictObject({
  schedule_id: z.uuid().optional(),
  assistant_id: z.uuid().optional(),
  workflow_id: z.uuid().optional(),
  thread_id: z.uuid().optional(),
  status: z.enum(runStatuses).optional(),
  trigger: z.enum(triggers).optional(),
  owner_id: z.uuid().optional(),
  /** Runs created at or after this instant. */
  from: instant.optional(),
  /** Runs created before this instant. */
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type RunListInput = z.input<typeof runListSchema>;

/** `POST /runs/{id}/replay`: where a workflow replay starts calling nodes again (a node's name or key). */
export const runReplaySchema = z.strictObject({
  from_step: z.string().trim().min(1).max(500).optional(),
});
export type RunReplayInput = z.input<typeof runReplaySchema>;

export interface RunServiceOptions {
  db: Database;
  clock: Clock;
  /** A run that cannot start within this long fails with `capacity`. */
  startDeadlineMs: number;
  /** Resolves and checks the assistant a run targets (an id or a graph id). */
  assistants: Pick<AssistantService, 'assertRunnable'>;
}

/**
 * Runs outside and inside schedules, for the API, the CLI and the agents: create an `api` run,
 * read, list, cancel, wait for one to finish, read its trace. Every method is scoped by the actor
 * (admins see every run; others only their own: another user's run is `not_found`).
 *
 * @example
 * const run = await kairos.runs.create(actor, { assistant_id, input: { text: 'hi' } });
 * const done = await kairos.runs.wait(actor, run.id, { timeoutMs: 30_000 });
 */
export class RunService {
  private readonly waiter: RunWaiter;

  constructor(private readonly options: RunServiceOptions) {
    this.waiter = new RunWaiter(options.db);
  }

  /** Creates a run of an assistant now (`trigger: "api"`), optionally on a thread. */
  async create(actor: Actor, body: RunCreateInput): Promise<RunResource> {
    assertCanWrite(actor, 'start runs');
    const input = parseInput(runCreateSchema, body);
    const { db, clock, startDeadlineMs } = this.options;
    const assistant = await runnableAssistant(this.options.assistants, actor, input.assistant_id);
    if (input.thread_id) await usableThread(db, actor, input.thread_id);
    const id = await createApiRun(db, { assistantId: assistant.id }, actor.userId, input, {
      now: clock.now(),
      startDeadlineMs,
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<RunResource> {
    return toRunResource(await this.visible(actor, id));
  }

  /** Newest first; `from` (inclusive) and `to` (exclusive) bound `created_at`. */
  async list(actor: Actor, filters: RunListInput = {}): Promise<{ items: RunResource[]; total: number }> {
    const input = parseInput(runListSchema, filters);
    // owner_id is a filter, never ignored: a non-admin naming another user is refused (as for keys).
    if (actor.role !== 'admin' && input.owner_id !== undefined && input.owner_id !== actor.userId)
      assertAdmin(actor, "list other users' runs");
    const ownerId = actor.role === 'admin' ? input.owner_id : actor.userId;
    const { rows, total } = await listRuns(this.options.db, {
      ...(ownerId && { ownerId }),
      ...(input.schedule_id && { scheduleId: input.schedule_id }),
      ...(input.assistant_id && { assistantId: input.assistant_id }),
      ...(input.workflow_id && { workflowId: input.workflow_id }),
      ...(input.thread_id && { threadId: input.thread_id }),
      ...(input.status && { status: input.status }),
      ...(input.trigger && { trigger: input.trigger }),
      ...(input.from && { createdFrom: new Date(input.from) }),
      ...(input.to && { createdBefore: new Date(input.to) }),
      limit: input.limit,
      offset: input.offset,
    });
    return { items: rows.map(toRunResource), total };
  }

  /**
   * Cancels a run: a pending one at once (`cancelled`), a running one by aborting it in its
   * worker (it ends `cancelled`, reason `cancelled`). A finished run is `run_finished` (409).
   */
  async cancel(actor: Actor, id: string): Promise<RunResource> {
    assertCanWrite(actor, 'cancel runs');
    const run = await this.visible(actor, id);
    const { db, clock } = this.options;
    const updated = await db.transaction(async (tx) => {
      const row = await cancelRun(tx, run.id, new Date(clock.now()));
      if (row?.status === 'cancelled') await notifyRunsFinished(tx, db, [row.id]);
      if (row?.status === 'running') await notifyRunCancel(tx, db, row.id);
      return row;
    });
    if (!updated)
      throw new KairosError('run_finished', `run ${id} has already finished (${run.status})`, {
        status: 409,
        details: { id, status: run.status },
      });
    return toRunResource(updated);
  }

  /**
   * Replays a run the actor can see: a new run (`replay_of`) of the same workflow version that
   * reuses the recorded outputs of the nodes before `from_step` and runs the rest (everything
   * without it); a run of an assistant runs it again with the same input. An unknown `from_step`
   * is 422 naming the valid ones; `from_step` on an assistant run is 422.
   */
  async replay(actor: Actor, id: string, body: RunReplayInput = {}): Promise<RunResource> {
    assertCanWrite(actor, 'replay runs');
    const input = parseInput(runReplaySchema, body);
    const source = await this.visible(actor, id);
    const { db, clock, startDeadlineMs } = this.options;
    let reuse: string[] = [];
    if (source.workflow_id !== null) {
      const plan = replayPlan(await listRunSteps(db, source.id), input.from_step);
      if ('unknown' in plan)
        throw invalid(
          'from_step',
          `run ${source.id} has no node named or keyed ${JSON.stringify(plan.unknown)}: give one of ${
            plan.valid.length > 0 ? plan.valid.map((name) => JSON.stringify(name)).join(', ') : '(none: it ran no node)'
          }, or leave from_step out to run everything again`,
          { from_step: plan.unknown, valid: plan.valid },
        );
      reuse = plan.reuse;
    } else {
      if (input.from_step !== undefined)
        throw invalid(
          'from_step',
          `run ${source.id} is a run of an assistant, which has no steps: leave from_step out`,
        );
      if (source.assistant_id === null)
        throw new KairosError(
          'assistant_gone',
          `the assistant of run ${source.id} no longer exists: it cannot be replayed`,
          {
            status: 409,
            details: { id: source.id },
          },
        );
      await runnableAssistant(this.options.assistants, actor, source.assistant_id);
    }
    const replayId = await createReplayRun(db, source, reuse, { now: clock.now(), startDeadlineMs });
    return this.get(actor, replayId);
  }

  /**
   * Waits until the run reaches a final status (success, error, timeout, cancelled, skipped) or
   * `timeoutMs` passes, then returns it as it is. LISTEN-based: no polling.
   */
  async wait(
    actor: Actor,
    id: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<RunResource> {
    await this.visible(actor, id);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const registration = await this.waiter.register(id);
    try {
      for (;;) {
        const run = (await findRun(this.options.db, id))!;
        const remaining = deadline - Date.now();
        if (!run || finalStatuses.has(run.status) || remaining <= 0 || options.signal?.aborted)
          return toRunResource(run);
        // A notification wakes the wait; the slow re-read covers a lost one.
        await registration.next(Math.min(remaining, 5000), options.signal);
      }
    } finally {
      registration.dispose();
    }
  }

  /** The run's trace: attempts, retries, steps, tool calls. */
  async events(actor: Actor, id: string): Promise<RunEventResource[]> {
    await this.visible(actor, id);
    return (await listRunEvents(this.options.db, id)).map(toRunEventResource);
  }

  /** A workflow run's step tree (empty for a run of an assistant): each node with its children. */
  async steps(actor: Actor, id: string): Promise<RunStepResource[]> {
    const run = await this.visible(actor, id);
    return run.workflow_id === null && run.workflow_version === null
      ? []
      : stepTree(await listRunSteps(this.options.db, id));
  }

  async close(): Promise<void> {
    await this.waiter.close();
  }

  private async visible(actor: Actor, id: string): Promise<RunRow> {
    const parsed = z.uuid().safeParse(id);
    const run = parsed.success ? await findRun(this.options.db, id) : undefined;
    if (!run || !canSee(actor, run.owner_id)) throw notFound('run', id);
    return run;
  }
}
