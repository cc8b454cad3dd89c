import { randomUUID } from 'node:crypto';
import type { Database } from '../store/database.ts';
import { insertRuns } from '../store/runs.ts';

/** What an `api` run is created from (POST /runs and POST /workflows/{id}/runs take the same). */
export interface ApiRunRequest {
  input?: unknown;
  thread_id?: string | null;
  metadata: Record<string, unknown>;
  /** Seconds; null: no timeout; default 300. */
  timeout?: number | null;
  retry?: { max_attempts: number; backoff?: { initial_s?: number; factor?: number; max_s?: number } };
  /** LangGraph's run `config`/`context`, passed through to the assistant (assistant runs only). */
  config?: Record<string, unknown> | null;
  context?: unknown;
}

/** What the run executes: an assistant or a workflow (exactly one). */
export type ApiRunTarget = { assistantId: string; workflowId?: never } | { workflowId: string; assistantId?: never };

/**
 * Creates a run of `trigger: "api"` due now, in one transaction with the NOTIFY that wakes the
 * workers; resolves with its id. Access to the target and the thread is the caller's to check.
 *
 * @example
 * const id = await insertApiRun(db, { assistantId }, actor.userId, input, { now, startDeadlineMs });
 */
export async function insertApiRun(
  db: Database,
  target: ApiRunTarget,
  ownerId: string,
  request: ApiRunRequest,
  at: { now: number; startDeadlineMs: number },
): Promise<string> {
  const id = randomUUID();
  const { now, startDeadlineMs } = at;
  await db.transaction(async (tx) => {
    await insertRuns(tx, [
      {
        id,
        schedule_id: null,
        assistant_id: target.assistantId ?? null,
        workflow_id: target.workflowId ?? null,
        thread_id: request.thread_id ?? null,
        owner_id: ownerId,
        trigger: 'api',
        scheduled_for: null,
        not_before: new Date(now),
        start_deadline: new Date(now + startDeadlineMs),
        run_number: null,
        input: request.input ?? null,
        metadata: request.metadata,
        ...(request.config !== undefined && { config: request.config }),
        ...(request.context !== undefined && { context: request.context }),
        max_attempts: request.retry?.max_attempts ?? 1,
        timeout_ms: request.timeout === null ? null : Math.round((request.timeout ?? 300) * 1000),
        retry_backoff_ms: Math.round((request.retry?.backoff?.initial_s ?? 1) * 1000),
        retry_backoff_factor: request.retry?.backoff?.factor ?? 2,
        retry_backoff_max_ms: Math.round((request.retry?.backoff?.max_s ?? 300) * 1000),
        ignore_overlap: false,
        created_at: new Date(now),
      },
    ]);
    await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(now)]);
  });
  return id;
}
