import type { OpenAPIHono } from '@hono/zod-openapi';
import { invalid } from '../../errors.ts';
import { parseDuration } from '../../time/durations.ts';
import type { BackfillInput as ScheduleBackfillBody } from '../../scheduler/backfill.ts';
import type {
  PauseInput as SchedulePauseBody,
  PreviewInput,
  ScheduleCreateInput,
  ScheduleUpdateInput,
} from '../../scheduler/schedule-input.ts';
import type { ScheduleService } from '../../scheduler/schedule-service.ts';
import type { RunService } from '../../worker/run-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import { Run, RunList } from '../schemas/runs.ts';
import {
  Schedule,
  ScheduleBackfill,
  ScheduleBackfillQuery,
  ScheduleBackfillResult,
  ScheduleCreate,
  ScheduleEnsureParams,
  ScheduleEnsureQuery,
  ScheduleEnsureResult,
  ScheduleEventList,
  ScheduleList,
  ScheduleListQuery,
  SchedulePause,
  SchedulePreview,
  SchedulePreviewBody,
  SchedulePreviewQuery,
  ScheduleRunsQuery,
  ScheduleStats,
  ScheduleRates,
  ScheduleRatesQuery,
  ScheduleStatsQuery,
  ScheduleTrigger,
  ScheduleUpdate,
} from '../schemas/schedules.ts';

const tags = ['schedules'];

export const scheduleRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/schedules',
    tags,
    summary: 'Create a schedule (the agent-server cron object plus Kairos fields)',
    request: { body: jsonBody(ScheduleCreate) },
    responses: { 201: json(Schedule, 'The schedule, with next_run_at') },
    extraErrors: {
      409: 'Name taken, or the assistant is inactive (`name_taken`, `assistant_inactive`)',
      429: 'The owner has reached KAIROS_MAX_SCHEDULES_PER_USER (`schedule_cap_reached`)',
    },
  }),
  ensure: apiRoute({
    method: 'put',
    path: '/api/v1/schedules/by-name/{name}',
    tags,
    summary: 'Create the schedule of this name, or reconcile the existing one (idempotent upsert by name)',
    description:
      'The body is a create body; its `name`, if given, must equal the path. Answers 201 when created, 200 when updated, unchanged or skipped. ' +
      'An update writes only the fields that differ and recomputes next_run_at only when timing fields changed.',
    request: { params: ScheduleEnsureParams, query: ScheduleEnsureQuery, body: jsonBody(ScheduleCreate) },
    responses: {
      201: json(ScheduleEnsureResult, 'Created'),
      200: json(ScheduleEnsureResult, 'Updated, unchanged or skipped'),
    },
    extraErrors: {
      409: 'The name is taken by a schedule this upsert did not create and if_exists is raise (`schedule_exists`), or the assistant is inactive',
      429: 'The owner has reached KAIROS_MAX_SCHEDULES_PER_USER (`schedule_cap_reached`)',
    },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/schedules',
    tags,
    summary: 'List schedules, newest first',
    request: { query: ScheduleListQuery },
    responses: { 200: json(ScheduleList, 'A page of schedules') },
  }),
  preview: apiRoute({
    method: 'post',
    path: '/api/v1/schedules/preview',
    tags,
    summary: 'The next fire times and description of a schedule, without saving anything',
    request: { body: jsonBody(SchedulePreviewBody) },
    responses: { 200: json(SchedulePreview, 'Next fire times') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}',
    tags,
    summary: 'Get a schedule',
    request: { params: ResourceParams },
    responses: { 200: json(Schedule, 'The schedule') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/schedules/{id}',
    tags,
    summary: 'Change a schedule (partial); a new spec recomputes next_run_at',
    request: { params: ResourceParams, body: jsonBody(ScheduleUpdate) },
    responses: { 200: json(Schedule, 'The schedule') },
    extraErrors: { 409: 'Name taken (`name_taken`)' },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/schedules/{id}',
    tags,
    summary: 'Delete a schedule (its pending runs are cancelled, history kept)',
    request: { params: ResourceParams },
    responses: { 204: { description: 'Deleted' } },
  }),
  pause: apiRoute({
    method: 'post',
    path: '/api/v1/schedules/{id}/pause',
    tags,
    summary: 'Pause a schedule, with an optional note (shown with who paused and when until it is resumed)',
    request: {
      params: ResourceParams,
      body: { required: false, content: { 'application/json': { schema: SchedulePause } } },
    },
    responses: { 200: json(Schedule, 'The schedule, with `paused`') },
  }),
  backfill: apiRoute({
    method: 'post',
    path: '/api/v1/schedules/{id}/backfill',
    tags,
    summary:
      'Create one run per occurrence in (from, to] that has no run yet (trigger "backfill"); dry_run only counts',
    request: { params: ResourceParams, query: ScheduleBackfillQuery, body: jsonBody(ScheduleBackfill) },
    responses: { 200: json(ScheduleBackfillResult, 'What was created, or with dry_run would be') },
    extraErrors: {
      422: 'A bad window, `to` in the future, or more than 1,000 occurrences (`backfill_too_large`, with `split_at`)',
    },
  }),
  resume: apiRoute({
    method: 'post',
    path: '/api/v1/schedules/{id}/resume',
    tags,
    summary: 'Resume a paused schedule',
    request: { params: ResourceParams },
    responses: { 200: json(Schedule, 'The schedule') },
  }),
  trigger: apiRoute({
    method: 'post',
    path: '/api/v1/schedules/{id}/trigger',
    tags,
    summary: 'Run a schedule now (a manual run; the next fire time does not move)',
    request: {
      params: ResourceParams,
      body: { required: false, content: { 'application/json': { schema: ScheduleTrigger } } },
    },
    responses: { 201: json(Run, 'The manual run') },
  }),
  runs: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}/runs',
    tags,
    summary: "A schedule's runs, newest first",
    request: { params: ResourceParams, query: ScheduleRunsQuery },
    responses: { 200: json(RunList, 'A page of runs') },
  }),
  savedPreview: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}/preview',
    tags,
    summary:
      "A schedule's next fire times, the occurrences its excluded dates skip and the effect of the next DST change",
    request: { params: ResourceParams, query: SchedulePreviewQuery },
    responses: { 200: json(SchedulePreview, 'Next fire times') },
  }),
  stats: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}/stats',
    tags,
    summary: 'Success rate, counts by status and failure reason, streak, p50/p95 duration, last and next run',
    request: { params: ResourceParams, query: ScheduleStatsQuery },
    responses: { 200: json(ScheduleStats, 'Statistics over the window') },
  }),
  rates: apiRoute({
    method: 'get',
    path: '/api/v1/schedule-rates',
    tags,
    summary:
      'Runs by status and the success rate over a window of many schedules at once (ids; those you cannot see are left out)',
    request: { query: ScheduleRatesQuery },
    responses: { 200: json(ScheduleRates, 'Rates over the window, in the order of ids') },
  }),
  events: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}/events',
    tags,
    summary: 'Alerts, missed occurrences and completion, newest first',
    request: { params: ResourceParams },
    responses: { 200: json(ScheduleEventList, 'Schedule events') },
  }),
};

/** A stats `window` query (seconds, "24h", ISO-8601) in ms; undefined when not given. */
function windowOf(window: string | undefined): number | undefined {
  const windowMs = window === undefined ? undefined : parseDuration(window);
  if (windowMs === undefined && window !== undefined) {
    throw invalid('window', `"${window}" is not a duration: use seconds (86400), "24h", "7d" or ISO-8601 (PT24H)`, {
      location: 'query',
    });
  }
  if (windowMs !== undefined && windowMs <= 0)
    throw invalid('window', 'must be longer than zero', { location: 'query' });
  return windowMs;
}

/** The flat preview form `{cron|at|every, timezone, anchor}` as the service's `{schedule}`. */
function previewInput(body: Record<string, unknown>): { input: PreviewInput; count: number | undefined } {
  const { count, ...rest } = body;
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100)) {
    throw invalid('count', 'must be a whole number from 1 to 100');
  }
  if ('schedule' in rest) return { input: rest as PreviewInput, count };
  const { start_at, end_at, dst, exclude_dates, ...schedule } = rest;
  const input = {
    schedule,
    ...(start_at !== undefined && { start_at }),
    ...(end_at !== undefined && { end_at }),
    ...(dst !== undefined && { dst }),
    ...(exclude_dates !== undefined && { exclude_dates }),
  };
  return { input: input as PreviewInput, count };
}

export function registerScheduleRoutes(
  app: OpenAPIHono<ApiEnv>,
  schedules: ScheduleService,
  runs: RunService | undefined,
): void {
  // The bodies are checked to be JSON objects here and parsed strictly by the service.
  app.openapi(scheduleRoutes.create, async (c) =>
    c.json(await schedules.create(c.var.actor, c.req.valid('json') as ScheduleCreateInput), 201),
  );
  app.openapi(scheduleRoutes.ensure, async (c) => {
    const { name } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.name !== undefined && body.name !== name) {
      throw invalid(
        'name',
        `the body names "${String(body.name)}" but the path names "${name}": give the name once, in the path`,
      );
    }
    const { if_exists } = c.req.valid('query');
    const outcome = await schedules.ensure(
      c.var.actor,
      { ...(body as ScheduleCreateInput), name },
      { ...(if_exists && { ifExists: if_exists }), source: 'apply' },
    );
    return outcome.result === 'created' ? c.json(outcome, 201) : c.json(outcome, 200);
  });
  app.openapi(scheduleRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total, next_cursor } = await schedules.list(c.var.actor, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset, next_cursor }, 200);
  });
  app.openapi(scheduleRoutes.preview, (c) => {
    const { input, count } = previewInput(c.req.valid('json'));
    return c.json(schedules.preview(input, count === undefined ? {} : { count }), 200);
  });
  app.openapi(scheduleRoutes.get, async (c) => c.json(await schedules.get(c.var.actor, c.req.valid('param').id), 200));
  app.openapi(scheduleRoutes.update, async (c) =>
    c.json(
      await schedules.update(c.var.actor, c.req.valid('param').id, c.req.valid('json') as ScheduleUpdateInput),
      200,
    ),
  );
  app.openapi(scheduleRoutes.delete, async (c) => {
    await schedules.delete(c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(scheduleRoutes.pause, async (c) => {
    const body = c.req.valid('json') as SchedulePauseBody | undefined;
    return c.json(await schedules.pause(c.var.actor, c.req.valid('param').id, body ?? {}), 200);
  });
  app.openapi(scheduleRoutes.backfill, async (c) => {
    const body = c.req.valid('json') as ScheduleBackfillBody;
    const { dry_run } = c.req.valid('query');
    const input = dry_run === undefined ? body : { ...body, dry_run: dry_run || body.dry_run === true };
    return c.json(await schedules.backfill(c.var.actor, c.req.valid('param').id, input), 200);
  });
  app.openapi(scheduleRoutes.resume, async (c) =>
    c.json(await schedules.resume(c.var.actor, c.req.valid('param').id), 200),
  );
  app.openapi(scheduleRoutes.trigger, async (c) => {
    const body = c.req.valid('json');
    return c.json(await schedules.trigger(c.var.actor, c.req.valid('param').id, body), 201);
  });
  app.openapi(scheduleRoutes.runs, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const schedule = await schedules.get(c.var.actor, id); // 404 for another user's schedule
    if (!runs) throw new Error('the runs service is not configured');
    const { items, total } = await runs.list(c.var.actor, { ...query, schedule_id: schedule.id });
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(scheduleRoutes.savedPreview, async (c) => {
    const { count } = c.req.valid('query');
    return c.json(
      await schedules.previewSaved(c.var.actor, c.req.valid('param').id, count === undefined ? {} : { count }),
      200,
    );
  });
  app.openapi(scheduleRoutes.stats, async (c) => {
    const windowMs = windowOf(c.req.valid('query').window);
    return c.json(
      await schedules.stats(c.var.actor, c.req.valid('param').id, windowMs === undefined ? {} : { windowMs }),
      200,
    );
  });
  app.openapi(scheduleRoutes.rates, async (c) => {
    const { ids, window } = c.req.valid('query');
    const windowMs = windowOf(window);
    return c.json(await schedules.rates(c.var.actor, { ids, ...(windowMs !== undefined && { windowMs }) }), 200);
  });
  app.openapi(scheduleRoutes.events, async (c) =>
    c.json({ data: await schedules.events(c.var.actor, c.req.valid('param').id) }, 200),
  );
}
