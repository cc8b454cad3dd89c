import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { RunCreateInput } from '../../runs/api-run.ts';
import type { Database } from '../../store/database.ts';
import type { RunReplayInput, RunService } from '../../worker/run-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import { lastEventId, runStreamResponse } from '../run-stream-response.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import type { RunWithEvents as RunWithEventsBody } from '../schemas/runs.ts';
import { Run, RunCreate, RunCreateQuery, RunList, RunListQuery, RunReplay, RunWithEvents } from '../schemas/runs.ts';

const tags = ['runs'];

export const runRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/runs',
    tags,
    summary: 'Start a run of an assistant now (optionally wait for it to finish)',
    request: { query: RunCreateQuery, body: jsonBody(RunCreate) },
    responses: { 201: json(Run, 'The run (finished, when waited for and done in time)') },
    extraErrors: { 409: 'The assistant is inactive or unavailable here' },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/runs',
    tags,
    summary: 'List runs, newest first',
    request: { query: RunListQuery },
    responses: { 200: json(RunList, 'A page of runs') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/runs/{id}',
    tags,
    summary: 'Get a run with its events (its trace)',
    request: { params: ResourceParams },
    responses: { 200: json(RunWithEvents, 'The run and its events') },
  }),
  cancel: apiRoute({
    method: 'post',
    path: '/api/v1/runs/{id}/cancel',
    tags,
    summary: 'Cancel a pending or running run',
    request: { params: ResourceParams },
    responses: { 200: json(Run, 'The run') },
    extraErrors: { 409: 'The run has already finished (`run_finished`)' },
  }),
  replay: apiRoute({
    method: 'post',
    path: '/api/v1/runs/{id}/replay',
    tags,
    summary:
      'Replay a run: a new run of the same workflow version reusing the recorded outputs of the nodes before `from_step` (or of the same assistant with the same input)',
    request: {
      params: ResourceParams,
      body: { required: false, content: { 'application/json': { schema: RunReplay } } },
    },
    responses: { 202: json(Run, 'The new run (`replay_of` names the replayed one)') },
    extraErrors: {
      409: "The run's assistant no longer exists, or is inactive",
      422: 'An unknown `from_step` (the valid names are in `details.valid`), or `from_step` on an assistant run',
    },
  }),
  stream: apiRoute({
    method: 'get',
    path: '/api/v1/runs/{id}/stream',
    tags,
    summary:
      "The run's events as Server-Sent Events: from the first (or after `Last-Event-ID`), then live, until `end`",
    request: {
      params: ResourceParams,
      headers: z.object({ 'last-event-id': z.string().optional().openapi({ description: 'Resume after this seq' }) }),
    },
    responses: {
      200: {
        description: 'event: status|node_start|node_end|usage|end, id: seq, data: {kind, seq, at, node?, …}',
        content: { 'text/event-stream': { schema: z.string() } },
      },
    },
  }),
};

export function registerRunRoutes(app: OpenAPIHono<ApiEnv>, runs: RunService, db: Database): void {
  app.openapi(runRoutes.create, async (c) => {
    const { wait, wait_timeout_ms: timeoutMs } = c.req.valid('query');
    // Parsed from a JSON body, so `input` is JSON; the service validates it again.
    const run = await runs.create(c.var.actor, c.req.valid('json') as RunCreateInput);
    const answer = wait ? await runs.wait(c.var.actor, run.id, { timeoutMs, signal: c.req.raw.signal }) : run;
    return c.json(answer, 201);
  });
  app.openapi(runRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await runs.list(c.var.actor, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(runRoutes.get, async (c) => {
    const { id } = c.req.valid('param');
    const run = await runs.get(c.var.actor, id);
    return c.json(
      {
        ...run,
        events: await runs.events(c.var.actor, id),
        steps: (await runs.steps(c.var.actor, id)) as unknown as RunWithEventsBody['steps'],
      },
      200,
    );
  });
  app.openapi(runRoutes.cancel, async (c) => c.json(await runs.cancel(c.var.actor, c.req.valid('param').id), 200));
  app.openapi(runRoutes.replay, async (c) => {
    const run = await runs.replay(c.var.actor, c.req.valid('param').id, (c.req.valid('json') ?? {}) as RunReplayInput);
    return c.json(run, 202);
  });
  app.openapi(runRoutes.stream, async (c) => {
    const { id } = c.req.valid('param');
    const after = lastEventId(c.req.header('last-event-id'));
    await runs.get(c.var.actor, id); // 404 for another member's run
    return runStreamResponse(c, db, id, after) as never;
  });
}
