import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../store/database.ts';
import { createRuns } from './create-runs.ts';
import { prioritySchema } from './flow-control.ts';
import { backoffShapeSchema, resolveRunPolicy, timeoutSchema } from './run-policy.ts';

/** `POST /runs`: a run of an assistant now. POST /workflows/{id}/runs takes the same less the assistant. */
export const runCreateSchema = z.strictObject({
  /** An assistant id, or a graph id (its default assistant). */
  assistant_id: z.string().trim().min(1).max(200),
  input: z.json().optional(),
  thread_id: z.uuid().nullable().optional(),
  /** Seconds. */
  timeout: timeoutSchema.optional(),
  retry: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(100),
      // The same bounds as a schedule's retry: the delays are stored as whole milliseconds.
      backoff: backoffShapeSchema.optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.json()).default({}),
  /** LangGraph `config` (`configurable`, `tags`, …) passed to the assistant: langgraph and module kinds use it. */
  config: z.record(z.string(), z.json()).optional(),
  /** LangGraph `context` (any JSON) passed to the assistant, like `config`. */
  context: z.json().optional(),
  /** 1 (first) to 5: when runs wait for slots, lower numbers start first (default 3; docs/gates.md). */
  priority: prioritySchema.optional(),
});
export type RunCreateInput = z.input<typeof runCreateSchema>;

/** What an `api` run is created from (POST /runs and POST /workflows/{id}/runs take the same). */
export interface ApiRunRequest {
  input?: unknown;
  thread_id?: string | null;
  metadata: Record<string, unknown>;
  /** Seconds; null: no timeout; default 300 (run-policy.ts). */
  timeout?: number | null;
  retry?: { max_attempts: number; backoff?: { initial_s?: number; factor?: number; max_s?: number } };
  /** LangGraph's run `config`/`context`, passed through to the assistant (assistant runs only). */
  config?: Record<string, unknown> | null;
  context?: unknown;
  /** 1 (first) to 5; default 3. */
  priority?: number;
}

/** What the run executes: an assistant or a workflow (exactly one). */
export type ApiRunTarget = { assistantId: string; workflowId?: never } | { workflowId: string; assistantId?: never };

/**
 * Creates a run of `trigger: "api"` due now (with the NOTIFY that wakes the workers); resolves
 * with its id. Access to the target and the thread is the caller's to check.
 *
 * @example
 * const id = await createApiRun(db, { assistantId }, actor.userId, input, { now, startDeadlineMs });
 */
export async function createApiRun(
  db: Database,
  target: ApiRunTarget,
  ownerId: string,
  request: ApiRunRequest,
  at: { now: number; startDeadlineMs: number },
): Promise<string> {
  const id = randomUUID();
  const { now, startDeadlineMs } = at;
  await db.transaction((tx) =>
    createRuns(
      db,
      [
        {
          id,
          assistant_id: target.assistantId ?? null,
          workflow_id: target.workflowId ?? null,
          thread_id: request.thread_id ?? null,
          owner_id: ownerId,
          trigger: 'api',
          not_before: new Date(now),
          start_deadline: new Date(now + startDeadlineMs),
          input: request.input ?? null,
          metadata: request.metadata,
          ...(request.config !== undefined && { config: request.config }),
          ...(request.context !== undefined && { context: request.context }),
          policy: resolveRunPolicy({ timeout: request.timeout, retry: request.retry }),
          ...(request.priority !== undefined && { priority: request.priority }),
          created_at: new Date(now),
        },
      ],
      tx,
    ),
  );
  return id;
}
