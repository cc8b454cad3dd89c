import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AssistantService } from '../../agents/assistant-service.ts';
import type { ThreadService } from '../../agents/thread-service.ts';
import { assertCanWrite } from '../../auth/actor.ts';
import { KairosError, invalid, notFound } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import { deleteFinishedRun } from '../../store/delete-run.ts';
import { findLangGraphSettings } from '../../store/langgraph-assistant-settings.ts';
import type { RunResource } from '../../runs/run-resource.ts';
import type { RunService } from '../../worker/run-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { kairosStatus, runValues, toLangGraphRun } from '../langgraph-run-view.ts';
import { lastEventId, runStreamResponse } from '../run-stream-response.ts';
import {
  LangGraphCancelQuery,
  LangGraphJoinQuery,
  LangGraphJoinStreamQuery,
  LangGraphRun,
  LangGraphRunCreate,
  LangGraphRunListQuery,
  LangGraphRunWait,
  LangGraphThread,
  RunParams,
  StatelessRunParams,
  ThreadParams,
} from '../schemas/langgraph.ts';

const tags = ['langgraph'];
const Values = LangGraphThread.shape.values;
const sse = {
  description:
    'Server-Sent Events: `metadata`, the run events (docs/api.md, Run event stream), `values` or `error`, `end`',
  content: { 'text/event-stream': { schema: z.string() } },
};
const valuesAnswer = json(Values, 'The output (an object), or `{"__error__": {error, message}}` on failure');

export const langGraphRunRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs',
    tags,
    summary: 'LangGraph: start a run on the thread (in the background)',
    request: { params: ThreadParams, body: jsonBody(LangGraphRunCreate) },
    responses: { 200: json(LangGraphRun, 'The run (pending)') },
  }),
  createStateless: apiRoute({
    method: 'post',
    path: '/runs',
    tags,
    summary: 'LangGraph: start a run without a thread (stateless, in the background)',
    request: { body: jsonBody(LangGraphRunCreate) },
    responses: { 200: json(LangGraphRun, 'The run (pending)') },
  }),
  stream: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs/stream',
    tags,
    summary: 'LangGraph: start a run on the thread and stream its events until it ends',
    request: { params: ThreadParams, body: jsonBody(LangGraphRunCreate) },
    responses: { 200: sse },
  }),
  streamStateless: apiRoute({
    method: 'post',
    path: '/runs/stream',
    tags,
    summary: 'LangGraph: start a stateless run and stream its events until it ends',
    request: { body: jsonBody(LangGraphRunCreate) },
    responses: { 200: sse },
  }),
  wait: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs/wait',
    tags,
    summary: "LangGraph: run an assistant on the thread and answer with the run's output once it has finished",
    request: { params: ThreadParams, body: jsonBody(LangGraphRunWait) },
    responses: { 200: valuesAnswer },
  }),
  waitStateless: apiRoute({
    method: 'post',
    path: '/runs/wait',
    tags,
    summary:
      "LangGraph: run an assistant without a thread (stateless) and answer with the run's output once it has finished",
    request: { body: jsonBody(LangGraphRunWait) },
    responses: { 200: valuesAnswer },
  }),
  list: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/runs',
    tags,
    summary: "LangGraph: the thread's runs, newest first",
    request: { params: ThreadParams, query: LangGraphRunListQuery },
    responses: { 200: json(LangGraphRun.array(), 'Runs') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/runs/{run_id}',
    tags,
    summary: 'LangGraph: get a run of the thread',
    request: { params: RunParams },
    responses: { 200: json(LangGraphRun, 'The run') },
  }),
  join: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/runs/{run_id}/join',
    tags,
    summary: 'LangGraph: wait for the run to end and answer with its output (as /runs/wait does)',
    request: { params: RunParams, query: LangGraphJoinQuery },
    responses: { 200: valuesAnswer },
  }),
  joinStream: apiRoute({
    method: 'get',
    path: '/threads/{thread_id}/runs/{run_id}/stream',
    tags,
    summary: "LangGraph: the run's event stream (from its first event, or after Last-Event-ID), until it ends",
    request: { params: RunParams, query: LangGraphJoinStreamQuery },
    responses: { 200: sse },
  }),
  joinStreamStateless: apiRoute({
    method: 'get',
    path: '/runs/{run_id}/stream',
    tags,
    summary: "LangGraph: a run's event stream, by run id alone (stateless runs)",
    request: { params: StatelessRunParams, query: LangGraphJoinStreamQuery },
    responses: { 200: sse },
  }),
  cancel: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs/{run_id}/cancel',
    tags,
    summary: 'LangGraph: cancel a pending or running run (`wait=1`: answer once it has ended)',
    request: { params: RunParams, query: LangGraphCancelQuery },
    responses: { 202: { description: 'Cancelling' }, 204: { description: 'Cancelled (with wait)' } },
    extraErrors: { 409: 'The run has already finished (`run_finished`)' },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/threads/{thread_id}/runs/{run_id}',
    tags,
    summary: 'LangGraph: delete a finished run with its trace',
    request: { params: RunParams },
    responses: { 204: { description: 'Deleted' } },
    extraErrors: { 409: 'The run is pending or running: cancel it first (`run_active`)' },
  }),
};

type RunBody = z.infer<typeof LangGraphRunCreate>;
type Actor = ApiEnv['Variables']['actor'];

/** Fields of a run body that would change what the run does and that Kairos does not do. */
const unsupportedRunFields = [
  'command',
  'checkpoint',
  'checkpoint_id',
  'after_seconds',
  'webhook',
  'if_not_exists',
  'strict_resume',
] as const;

const yes = (flag: string | undefined) => flag === '1' || flag === 'true';
const day = 24 * 3_600_000;

export interface LangGraphRunServices {
  db: Database;
  runs: RunService;
  threads: ThreadService;
  assistants: AssistantService;
}

export function registerLangGraphRunRoutes(app: OpenAPIHono<ApiEnv>, services: LangGraphRunServices): void {
  const { db, runs, threads, assistants } = services;

  /** Creates an api run (on a thread or stateless): the assistant's LangGraph config/context when the body has none. */
  async function start(actor: Actor, body: RunBody, threadId: string | null): Promise<RunResource> {
    const unsupported = unsupportedRunFields.find((field) => body[field] !== undefined);
    if (unsupported) throw invalid(unsupported, 'is not supported by Kairos runs');
    if (threadId) await threads.get(actor, threadId, { messageLimit: 0 }); // 404 for another user's thread
    const assistant = await assistants.resolve(actor, body.assistant_id);
    const defaults = (await findLangGraphSettings(db, [assistant.id])).get(assistant.id)!;
    const config = body.config ?? (Object.keys(defaults.config).length > 0 ? defaults.config : undefined);
    const context = body.context ?? (Object.keys(defaults.context).length > 0 ? defaults.context : undefined);
    return runs.create(actor, {
      assistant_id: assistant.id,
      ...(threadId && { thread_id: threadId }),
      ...(body.input !== undefined && { input: body.input as never }),
      ...(body.metadata !== undefined && { metadata: body.metadata as never }),
      // Passed to the assistant (langgraph, http and module kinds) and kept on the run.
      ...(config !== undefined && { config: config as never }),
      ...(context !== undefined && { context: context as never }),
    });
  }

  const location = (run: RunResource) =>
    run.thread_id ? `/threads/${run.thread_id}/runs/${run.id}` : `/runs/${run.id}`;

  /** A run of this thread, or 404 (another user's run, or a run of another thread). */
  async function runOfThread(actor: Actor, threadId: string, runId: string): Promise<RunResource> {
    const run = await runs.get(actor, runId);
    if (run.thread_id !== threadId) throw notFound('run', runId);
    return run;
  }

  function view(run: RunResource) {
    return toLangGraphRun(run);
  }

  /** The run's stream in LangGraph's framing: `metadata` first, then the run's events, then `values` or `error`, then `end`. */
  function stream(c: Context<ApiEnv>, run: RunResource, after: number) {
    c.header('Content-Location', location(run));
    // Where the SDK reconnects (with Last-Event-ID) if the connection drops before `end`.
    c.header('Location', `${location(run)}/stream`);
    return runStreamResponse(c, db, run.id, after, {
      before:
        after === 0
          ? [{ event: 'metadata', data: { run_id: run.id, thread_id: run.thread_id, attempt: run.attempt } }]
          : [],
      ending: (end) => {
        const values = runValues({
          ...run,
          status: end.status as RunResource['status'],
          output: end.output,
          error: end.error as string | null,
          error_kind: end.error_kind as RunResource['error_kind'],
        });
        const last =
          '__error__' in values ? { event: 'error', data: values.__error__ } : { event: 'values', data: values };
        return [last, { event: 'end', data: end }];
      },
    });
  }

  async function waitAndAnswer(c: Context<ApiEnv>, actor: Actor, run: RunResource, cancelOnDisconnect = false) {
    const signal = c.req.raw.signal;
    const ended = await runs.wait(actor, run.id, { timeoutMs: day, signal });
    if (signal.aborted && cancelOnDisconnect) await runs.cancel(actor, run.id).catch(() => undefined);
    c.header('Content-Location', location(run));
    return c.json(runValues(ended), 200);
  }

  app.openapi(langGraphRunRoutes.create, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), c.req.valid('param').thread_id);
    c.header('Content-Location', location(run));
    return c.json(view(run), 200);
  });
  app.openapi(langGraphRunRoutes.createStateless, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), null);
    c.header('Content-Location', location(run));
    return c.json(view(run), 200);
  });
  app.openapi(langGraphRunRoutes.stream, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), c.req.valid('param').thread_id);
    return stream(c, run, 0) as never;
  });
  app.openapi(langGraphRunRoutes.streamStateless, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), null);
    return stream(c, run, 0) as never;
  });
  app.openapi(langGraphRunRoutes.wait, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), c.req.valid('param').thread_id);
    return waitAndAnswer(c, c.var.actor, run);
  });
  app.openapi(langGraphRunRoutes.waitStateless, async (c) => {
    const run = await start(c.var.actor, c.req.valid('json'), null);
    return waitAndAnswer(c, c.var.actor, run);
  });

  app.openapi(langGraphRunRoutes.list, async (c) => {
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
      ? views.map((one) => Object.fromEntries(select.map((field) => [field, one[field as keyof typeof one]])))
      : views;
    return c.json(projected as typeof views, 200);
  });

  app.openapi(langGraphRunRoutes.get, async (c) => {
    const { thread_id, run_id } = c.req.valid('param');
    return c.json(view(await runOfThread(c.var.actor, thread_id, run_id)), 200);
  });

  app.openapi(langGraphRunRoutes.join, async (c) => {
    const { thread_id, run_id } = c.req.valid('param');
    const run = await runOfThread(c.var.actor, thread_id, run_id);
    return waitAndAnswer(c, c.var.actor, run, yes(c.req.valid('query').cancel_on_disconnect));
  });

  app.openapi(langGraphRunRoutes.joinStream, async (c) => {
    const { thread_id, run_id } = c.req.valid('param');
    const after = lastEventId(c.req.header('last-event-id'));
    return stream(c, await runOfThread(c.var.actor, thread_id, run_id), after) as never;
  });
  app.openapi(langGraphRunRoutes.joinStreamStateless, async (c) => {
    const after = lastEventId(c.req.header('last-event-id'));
    return stream(c, await runs.get(c.var.actor, c.req.valid('param').run_id), after) as never;
  });

  app.openapi(langGraphRunRoutes.cancel, async (c) => {
    const actor = c.var.actor;
    const { thread_id, run_id } = c.req.valid('param');
    const query = c.req.valid('query');
    if (query.action === 'rollback')
      throw invalid(
        'action',
        '"rollback" is not supported (Kairos keeps no checkpoints to roll back to): use "interrupt"',
      );
    await runOfThread(actor, thread_id, run_id);
    await runs.cancel(actor, run_id);
    if (!yes(query.wait)) return c.body(null, 202);
    await runs.wait(actor, run_id, { timeoutMs: day, signal: c.req.raw.signal });
    return c.body(null, 204);
  });

  app.openapi(langGraphRunRoutes.delete, async (c) => {
    const actor = c.var.actor;
    const { thread_id, run_id } = c.req.valid('param');
    assertCanWrite(actor, 'delete runs');
    const run = await runOfThread(actor, thread_id, run_id);
    if (!(await deleteFinishedRun(db, run.id)))
      throw new KairosError('run_active', `run ${run_id} is ${run.status}: cancel it first, then delete it`, {
        status: 409,
        details: { id: run_id, status: run.status },
      });
    return c.body(null, 204);
  });
}
