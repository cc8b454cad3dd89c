import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AssistantService } from '../../agents/assistant-service.ts';
import type { ThreadService, ThreadWithMessages } from '../../agents/thread-service.ts';
import { KairosError, invalid } from '../../errors.ts';
import { retryConflicts } from '../../store/retry-conflicts.ts';
import type { Thread } from '../../store/threads.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  LangGraphThread,
  LangGraphThreadCount,
  LangGraphThreadCreate,
  LangGraphThreadSearch,
  LangGraphThreadState,
  LangGraphThreadUpdate,
  ThreadParams,
} from '../schemas/langgraph.ts';

const tags = ['langgraph'];

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
  search: apiRoute({
    method: 'post',
    path: '/threads/search',
    tags,
    summary: 'LangGraph: search threads (metadata, ids, status; sorted, paged, projected)',
    request: { body: jsonBody(LangGraphThreadSearch) },
    responses: { 200: json(LangGraphThread.array(), 'The matching threads (values empty: read one with GET)') },
  }),
  count: apiRoute({
    method: 'post',
    path: '/threads/count',
    tags,
    summary: 'LangGraph: count threads',
    request: { body: jsonBody(LangGraphThreadCount) },
    responses: { 200: json(z.number().int(), 'The number of matching threads') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/threads/{thread_id}',
    tags,
    summary: "LangGraph: change a thread's metadata (merged)",
    request: { params: ThreadParams, body: jsonBody(LangGraphThreadUpdate) },
    responses: { 200: json(LangGraphThread, 'The thread') },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/threads/{thread_id}',
    tags,
    summary: 'LangGraph: delete a thread with its messages and the crons bound to it',
    request: { params: ThreadParams },
    responses: { 204: { description: 'Deleted' } },
  }),
  state: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/state',
    tags,
    summary: "LangGraph: the thread's state: its messages as `values.messages` (no checkpoints)",
    request: { params: ThreadParams },
    responses: { 200: json(LangGraphThreadState, 'The state') },
  }),
};

function toMessages(thread: ThreadWithMessages) {
  return thread.messages.map((message) => ({ role: message.role, content: message.content }));
}

function toLangGraphThread(thread: Thread | ThreadWithMessages) {
  return {
    thread_id: thread.id,
    created_at: thread.createdAt.toISOString(),
    updated_at: thread.updatedAt.toISOString(),
    state_updated_at: thread.updatedAt.toISOString(),
    metadata: thread.metadata,
    status: thread.status,
    values: 'messages' in thread ? { messages: toMessages(thread) } : {},
    interrupts: {},
    config: {},
    error: null,
  };
}

type ThreadView = ReturnType<typeof toLangGraphThread>;

const sortColumns = {
  thread_id: 'id',
  status: 'status',
  created_at: 'created_at',
  updated_at: 'updated_at',
  state_updated_at: 'updated_at',
} as const;

const isEmpty = (value: Record<string, unknown> | undefined) => value === undefined || Object.keys(value).length === 0;

export function registerLangGraphThreadRoutes(
  app: OpenAPIHono<ApiEnv>,
  services: { threads: ThreadService; assistants: AssistantService },
): void {
  const { threads, assistants } = services;

  app.openapi(langGraphThreadRoutes.create, async (c) => {
    const actor = c.var.actor;
    const body = c.req.valid('json');
    if (body.supersteps !== undefined)
      throw invalid('supersteps', 'is not supported: append messages with POST /api/v1/threads/{id}/messages');
    if (body.ttl !== undefined)
      throw invalid('ttl', 'is not supported: delete threads with DELETE /threads/{thread_id}');
    if (body.thread_id !== undefined) {
      const existing = await threads.get(actor, body.thread_id).catch(() => undefined);
      if (!existing) throw invalid('thread_id', 'Kairos chooses thread ids: leave it out');
      if (body.if_exists !== 'do_nothing') {
        throw new KairosError(
          'thread_exists',
          `thread ${body.thread_id} already exists; pass if_exists: "do_nothing" to get it back`,
          { status: 409, details: { thread_id: body.thread_id } },
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

  app.openapi(langGraphThreadRoutes.search, async (c) => {
    const body = c.req.valid('json');
    if (!isEmpty(body.values))
      throw invalid('values', 'is not supported: Kairos threads hold messages, not graph state; filter by metadata');
    if (!isEmpty(body.extract)) throw invalid('extract', 'is not supported: read a thread with GET /threads/{id}');
    const { items } = await threads.list(c.var.actor, {
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      ...(body.ids !== undefined && { ids: body.ids }),
      ...(body.status !== undefined && { status: body.status }),
      sort_by: sortColumns[body.sort_by],
      sort_order: body.sort_order,
      limit: body.limit,
      offset: body.offset,
    });
    const views = items.map(toLangGraphThread);
    const select = body.select;
    const projected = select
      ? views.map((view) => Object.fromEntries(select.map((field) => [field, view[field as keyof ThreadView]])))
      : views;
    return c.json(projected as ThreadView[], 200);
  });

  app.openapi(langGraphThreadRoutes.count, async (c) => {
    const body = c.req.valid('json');
    if (!isEmpty(body.values))
      throw invalid('values', 'is not supported: Kairos threads hold messages, not graph state; filter by metadata');
    const { total } = await threads.list(c.var.actor, {
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      ...(body.status !== undefined && { status: body.status }),
      limit: 1,
    });
    return c.json(total, 200);
  });

  app.openapi(langGraphThreadRoutes.update, async (c) => {
    const actor = c.var.actor;
    const id = c.req.valid('param').thread_id;
    const body = c.req.valid('json');
    if (body.ttl !== undefined)
      throw invalid('ttl', 'is not supported: delete threads with DELETE /threads/{thread_id}');
    const current = await threads.get(actor, id, { messageLimit: 0 });
    const updated = await threads.update(actor, id, { metadata: { ...current.metadata, ...body.metadata } });
    return c.json(toLangGraphThread(updated), 200);
  });

  app.openapi(langGraphThreadRoutes.delete, async (c) => {
    // Its bound crons go with it (cascade), while their runs may be finishing: retried on a deadlock.
    await retryConflicts(() => threads.delete(c.var.actor, c.req.valid('param').thread_id));
    return c.body(null, 204);
  });

  app.openapi(langGraphThreadRoutes.state, async (c) => {
    const thread = await threads.get(c.var.actor, c.req.valid('param').thread_id);
    return c.json(
      {
        values: { messages: toMessages(thread) },
        next: [],
        checkpoint: { thread_id: thread.id, checkpoint_ns: '', checkpoint_id: null, checkpoint_map: null },
        metadata: thread.metadata,
        created_at: thread.updatedAt.toISOString(),
        parent_checkpoint: null,
        tasks: [],
        interrupts: [],
      },
      200,
    );
  });
}
