import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AssistantService } from '../../agents/assistant-service.ts';
import type { ThreadService, ThreadWithMessages } from '../../agents/thread-service.ts';
import { KairosError, invalid } from '../../errors.ts';
import type { Thread } from '../../store/threads.ts';
import type { RunResource } from '../../worker/run-resource.ts';
import type { RunService } from '../../worker/run-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  LangGraphRun,
  LangGraphRunListQuery,
  LangGraphRunWait,
  LangGraphThread,
  LangGraphThreadCreate,
  ThreadParams,
} from '../schemas/langgraph.ts';

const tags = ['langgraph'];

type LangGraphRunWaitBody = z.infer<typeof LangGraphRunWait>;

export const langGraphThreadRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/threads',
    tags,
    summary: 'LangGraph: create a thread',
    request: { body: jsonBody(LangGraphThreadCreate) },
    responses: { 200: json(LangGraphThread, 'The thread') },
    extraErrors: { 409: 'thread_id exists and if_exists is not do_nothing (`thread_exists`)' },
  }),
  get: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}',
    tags,
    summary: 'LangGraph: get a thread; `values.messages` holds its latest messages',
    request: { params: ThreadParams },
    responses: { 200: json(LangGraphThread, 'The thread') },
  }),
  wait: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs/wait',
    tags,
    summary: "LangGraph: run an assistant on the thread and answer with the run's output once it has finished",
    request: { params: ThreadParams, body: jsonBody(LangGraphRunWait) },
    responses: {
      200: json(
        LangGraphThread.shape.values,
        'The output (an object), or `{"__error__": {error, message}}` on failure',
      ),
    },
  }),
  statelessWait: apiRoute({
    method: 'post',
    path: '/runs/wait',
    tags,
    summary:
      "LangGraph: run an assistant without a thread (stateless) and answer with the run's output once it has finished",
    request: { body: jsonBody(LangGraphRunWait) },
    responses: {
      200: json(
        LangGraphThread.shape.values,
        'The output (an object), or `{"__error__": {error, message}}` on failure',
      ),
    },
  }),
  runs: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/runs',
    tags,
    summary: "LangGraph: the thread's runs, newest first",
    request: { params: ThreadParams, query: LangGraphRunListQuery },
    responses: { 200: json(LangGraphRun.array(), 'Runs') },
  }),
};

function toLangGraphThread(thread: Thread | ThreadWithMessages) {
  const messages =
    'messages' in thread
      ? thread.messages.map((message) => ({ role: message.role, content: message.content }))
      : undefined;
  return {
    thread_id: thread.id,
    created_at: thread.createdAt.toISOString(),
    updated_at: thread.updatedAt.toISOString(),
    state_updated_at: thread.updatedAt.toISOString(),
    metadata: thread.metadata,
    status: thread.status,
    values: messages ? { messages } : {},
    interrupts: {},
    config: {},
    error: null,
  };
}

/**
 * Kairos's run statuses as LangGraph's: a cancelled run was interrupted; a skipped one never ran
 * (error); a waiting run is paused for a person or an event, as an interrupt pauses a thread.
 */
const langGraphStatus = {
  pending: 'pending',
  running: 'running',
  waiting: 'interrupted',
  success: 'success',
  error: 'error',
  timeout: 'timeout',
  cancelled: 'interrupted',
  skipped: 'error',
} as const;

const kairosStatus = {
  pending: 'pending',
  running: 'running',
  success: 'success',
  error: 'error',
  timeout: 'timeout',
  interrupted: 'cancelled',
} as const;

function toLangGraphRun(run: RunResource) {
  return {
    run_id: run.id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    created_at: run.created_at,
    updated_at: run.finished_at ?? run.started_at ?? run.created_at,
    status: langGraphStatus[run.status],
    metadata: run.metadata,
    multitask_strategy: null,
    kwargs: { input: run.input },
  };
}

/** Fields of a wait body that would change what the run does and that Kairos does not do. */
const unsupportedWaitFields = [
  'command',
  'checkpoint',
  'checkpoint_id',
  'after_seconds',
  'webhook',
  'if_not_exists',
  'strict_resume',
] as const;

export function registerLangGraphThreadRoutes(
  app: OpenAPIHono<ApiEnv>,
  services: { threads: ThreadService; assistants: AssistantService; runs: RunService | undefined },
): void {
  const { threads, assistants, runs } = services;

  app.openapi(langGraphThreadRoutes.create, async (c) => {
    const actor = c.var.actor;
    const body = c.req.valid('json');
    if (body.supersteps !== undefined)
      throw invalid('supersteps', 'is not supported: append messages with POST /api/v1/threads/{id}/messages');
    if (body.ttl !== undefined)
      throw invalid('ttl', 'is not supported: delete threads with DELETE /api/v1/threads/{id}');
    if (body.thread_id !== undefined) {
      const existing = await threads.get(actor, body.thread_id).catch(() => undefined);
      if (!existing) throw invalid('thread_id', 'Kairos chooses thread ids: leave it out');
      if (body.if_exists !== 'do_nothing') {
        throw new KairosError(
          'thread_exists',
          `thread ${body.thread_id} already exists; pass if_exists: "do_nothing" to get it back`,
          {
            status: 409,
            details: { thread_id: body.thread_id },
          },
        );
      }
      return c.json(toLangGraphThread(existing), 200);
    }
    const metadata = body.metadata ?? {};
    // The SDK puts the graph in metadata.graph_id: bind the thread to that graph's assistant when there is one.
    const graphId = typeof metadata.graph_id === 'string' ? metadata.graph_id : undefined;
    const assistant = graphId ? await assistants.resolve(actor, graphId).catch(() => undefined) : undefined;
    const thread = await threads.create(actor, { metadata, ...(assistant && { assistant_id: assistant.id }) });
    return c.json(toLangGraphThread(thread), 200);
  });

  app.openapi(langGraphThreadRoutes.get, async (c) =>
    c.json(toLangGraphThread(await threads.get(c.var.actor, c.req.valid('param').thread_id)), 200),
  );

  /** Creates an api run (on a thread or stateless), waits for it, and answers LangGraph's way. */
  async function runAndWait(
    actor: ApiEnv['Variables']['actor'],
    body: LangGraphRunWaitBody,
    threadId: string | null,
    signal: AbortSignal,
  ) {
    if (!runs) throw new Error('the runs service is not configured');
    const unsupported = unsupportedWaitFields.find((field) => body[field] !== undefined);
    if (unsupported) throw invalid(unsupported, 'is not supported by Kairos runs');
    const created = await runs.create(actor, {
      assistant_id: body.assistant_id,
      ...(threadId && { thread_id: threadId }),
      ...(body.input !== undefined && { input: body.input as never }),
      ...(body.metadata !== undefined && { metadata: body.metadata as never }),
      // Passed to the assistant (langgraph and module kinds) and kept on the run.
      ...(body.config !== undefined && { config: body.config as never }),
      ...(body.context !== undefined && { context: body.context as never }),
    });
    // LangGraph waits as long as the run takes; a client that goes away stops the wait.
    const run = await runs.wait(actor, created.id, { timeoutMs: 24 * 3_600_000, signal });
    const location = threadId ? `/threads/${threadId}/runs/${created.id}` : `/runs/${created.id}`;
    if (run.status === 'success') {
      const output = run.output;
      const values =
        typeof output === 'object' && output !== null && !Array.isArray(output)
          ? (output as Record<string, unknown>)
          : { output };
      return { location, values };
    }
    return {
      location,
      values: {
        __error__: { error: run.error_kind ?? run.status, message: run.error ?? `the run ended ${run.status}` },
      },
    };
  }

  app.openapi(langGraphThreadRoutes.wait, async (c) => {
    const actor = c.var.actor;
    const threadId = c.req.valid('param').thread_id;
    await threads.get(actor, threadId, { messageLimit: 0 }); // 404 for another user's thread
    const { location, values } = await runAndWait(actor, c.req.valid('json'), threadId, c.req.raw.signal);
    c.header('Content-Location', location);
    return c.json(values, 200);
  });

  app.openapi(langGraphThreadRoutes.statelessWait, async (c) => {
    const { location, values } = await runAndWait(c.var.actor, c.req.valid('json'), null, c.req.raw.signal);
    c.header('Content-Location', location);
    return c.json(values, 200);
  });

  app.openapi(langGraphThreadRoutes.runs, async (c) => {
    if (!runs) throw new Error('the runs service is not configured');
    const actor = c.var.actor;
    const threadId = c.req.valid('param').thread_id;
    const query = c.req.valid('query');
    await threads.get(actor, threadId, { messageLimit: 0 });
    const { items } = await runs.list(actor, {
      thread_id: threadId,
      limit: query.limit,
      offset: query.offset,
      ...(query.status !== undefined && { status: kairosStatus[query.status] }),
    });
    const select = query.select === undefined ? undefined : Array.isArray(query.select) ? query.select : [query.select];
    const views = items.map(toLangGraphRun);
    const projected = select
      ? views.map((view) => Object.fromEntries(select.map((field) => [field, view[field as keyof typeof view]])))
      : views;
    return c.json(projected as typeof views, 200);
  });
}
