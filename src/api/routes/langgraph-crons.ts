import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Actor } from '../../auth/actor.ts';
import type { ScheduleCreateInput, ScheduleUpdateInput } from '../../scheduler/schedule-input.ts';
import type { ScheduleResource } from '../../scheduler/schedule-resource.ts';
import type { ScheduleService } from '../../scheduler/schedule-service.ts';
import type { ScheduleOrder } from '../../store/schedules.ts';
import { invalid } from '../../errors.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  CronParams,
  LangGraphCron,
  LangGraphCronCount,
  LangGraphCronCreate,
  LangGraphCronSearch,
  LangGraphCronUpdate,
  ThreadParams,
  keptRunFieldNames,
  type cronFields,
} from '../schemas/langgraph.ts';

const tags = ['langgraph'];
const CronList = LangGraphCron.array();

export const langGraphCronRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/runs/crons',
    tags,
    summary: 'LangGraph: create a cron (a schedule) and, unless disabled, start its first run now',
    request: { body: jsonBody(LangGraphCronCreate) },
    responses: { 200: json(LangGraphCron, 'The cron, with the first run as run_id') },
  }),
  createForThread: apiRoute({
    method: 'post',
    path: '/threads/{thread_id}/runs/crons',
    tags,
    summary: 'LangGraph: create a cron whose runs continue a thread',
    request: { params: ThreadParams, body: jsonBody(LangGraphCronCreate) },
    responses: { 200: json(LangGraphCron, 'The cron, with the first run as run_id') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/runs/crons/{cron_id}',
    tags,
    summary: 'LangGraph: get a cron',
    request: { params: CronParams },
    responses: { 200: json(LangGraphCron, 'The cron') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/runs/crons/{cron_id}',
    tags,
    summary: 'LangGraph: change a cron (partial; metadata merges, end_time null clears, enabled pauses or resumes)',
    request: { params: CronParams, body: jsonBody(LangGraphCronUpdate) },
    responses: { 200: json(LangGraphCron, 'The cron') },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/runs/crons/{cron_id}',
    tags,
    summary: 'LangGraph: delete a cron',
    request: { params: CronParams },
    responses: { 204: { description: 'Deleted' } },
  }),
  search: apiRoute({
    method: 'post',
    path: '/runs/crons/search',
    tags,
    summary: 'LangGraph: search crons',
    request: { body: jsonBody(LangGraphCronSearch) },
    responses: { 200: json(CronList, 'The matching crons') },
  }),
  count: apiRoute({
    method: 'post',
    path: '/runs/crons/count',
    tags,
    summary: 'LangGraph: count crons',
    request: { body: jsonBody(LangGraphCronCount) },
    responses: { 200: json(z.number().int(), 'The number of matching crons') },
  }),
};

type CronCreateBody = z.infer<typeof LangGraphCronCreate>;
type CronField = (typeof cronFields)[number];

/** The payload fields kept with the schedule (its `config` column); `config` and `context` are applied to its runs. */
function keptFields(body: Partial<Record<(typeof keptRunFieldNames)[number], unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    keptRunFieldNames.filter((name) => body[name] !== undefined).map((name) => [name, body[name]]),
  );
}

/** The native schedule as LangGraph's Cron: schedule.cron → schedule, end_at → end_time, owner → user_id. */
export function toCron(schedule: ScheduleResource): LangGraphCron {
  const spec = schedule.schedule;
  const { api: _api, ...payloadConfig } = schedule.config;
  const expression = 'cron' in spec ? spec.cron : 'at' in spec ? `@at ${spec.at}` : `@every ${spec.every}s`;
  return {
    cron_id: schedule.id,
    assistant_id: schedule.assistant_id,
    thread_id: schedule.thread_id,
    // Only a stateless cron has a per-run thread to delete or keep.
    on_run_completed: schedule.thread_id === null ? schedule.on_run_completed : null,
    end_time: schedule.end_at,
    schedule: expression,
    timezone: spec.timezone,
    created_at: schedule.created_at,
    updated_at: schedule.updated_at,
    payload: {
      assistant_id: schedule.assistant_id,
      input: schedule.input_template,
      metadata: schedule.metadata,
      ...payloadConfig,
      ...(schedule.webhook && { webhook: schedule.webhook }),
    },
    user_id: schedule.owner_id,
    next_run_date: schedule.next_run_at,
    metadata: schedule.metadata,
    enabled: schedule.enabled,
  };
}

function project(cron: LangGraphCron, select: readonly CronField[] | undefined): Partial<LangGraphCron> {
  if (!select) return cron;
  return Object.fromEntries(select.map((field) => [field, cron[field]]));
}

const orderColumns: Record<z.infer<typeof LangGraphCronSearch>['sort_by'], ScheduleOrder['column']> = {
  cron_id: 'id',
  assistant_id: 'assistant_id',
  thread_id: 'thread_id',
  created_at: 'created_at',
  updated_at: 'updated_at',
  next_run_date: 'next_run_at',
};

export interface LangGraphCronOptions {
  /** Start one run at once when a cron is created enabled (KAIROS_CRON_RUN_ON_CREATE). */
  runOnCreate: boolean;
  /** The clock `end_time` is checked against. */
  now: () => number;
}

/** LangGraph crons are marked in their schedule's config: the LangGraph webhook body, a fresh thread per run. */
const langGraphMark = { api: 'langgraph' } as const;

export function registerLangGraphCronRoutes(
  app: OpenAPIHono<ApiEnv>,
  schedules: ScheduleService,
  options: LangGraphCronOptions,
): void {
  /** An end_time at or before now would leave a cron that never fires (and no immediate run): refused. */
  const assertFuture = (endTime: string | null | undefined) => {
    if (endTime && Date.parse(endTime) <= options.now())
      throw invalid('end_time', `${endTime} is not in the future: give a later end_time, or none`, {
        now: new Date(options.now()).toISOString(),
      });
  };

  const create = async (actor: Actor, body: CronCreateBody, threadId: string | undefined) => {
    assertFuture(body.end_time);
    const input: ScheduleCreateInput = {
      assistant_id: body.assistant_id,
      schedule: { cron: body.schedule, ...(body.timezone !== undefined && { timezone: body.timezone }) },
      session_mode: 'new',
      ...(threadId !== undefined && { thread_id: threadId }),
      ...(body.input !== undefined && { input_template: body.input as ScheduleCreateInput['input_template'] }),
      ...(body.metadata !== undefined && { metadata: body.metadata as ScheduleCreateInput['metadata'] }),
      ...(body.webhook !== undefined && { webhook: body.webhook }),
      ...(body.on_run_completed !== undefined && { on_run_completed: body.on_run_completed }),
      ...(body.enabled !== undefined && { enabled: body.enabled }),
      ...(body.end_time !== undefined && { end_at: body.end_time }),
      config: { ...keptFields(body), ...langGraphMark } as ScheduleCreateInput['config'],
    };
    const schedule = await schedules.create(actor, input);
    if (!schedule.enabled || !options.runOnCreate) return toCron(schedule);
    const run = await schedules.trigger(actor, schedule.id, {});
    return { ...toCron(await schedules.get(actor, schedule.id)), run_id: run.id };
  };

  app.openapi(langGraphCronRoutes.create, async (c) =>
    c.json(await create(c.var.actor, c.req.valid('json'), undefined), 200),
  );
  app.openapi(langGraphCronRoutes.createForThread, async (c) =>
    c.json(await create(c.var.actor, c.req.valid('json'), c.req.valid('param').thread_id), 200),
  );
  app.openapi(langGraphCronRoutes.get, async (c) =>
    c.json(toCron(await schedules.get(c.var.actor, c.req.valid('param').cron_id)), 200),
  );

  app.openapi(langGraphCronRoutes.update, async (c) => {
    const actor = c.var.actor;
    const id = c.req.valid('param').cron_id;
    const body = c.req.valid('json');
    assertFuture(body.end_time);
    const current = await schedules.get(actor, id);
    const patch: ScheduleUpdateInput = {};
    if (body.schedule !== undefined || body.timezone !== undefined) {
      const cron = body.schedule ?? ('cron' in current.schedule ? current.schedule.cron : undefined);
      patch.schedule = { ...(cron !== undefined && { cron }), timezone: body.timezone ?? current.schedule.timezone };
    }
    if (body.end_time !== undefined) patch.end_at = body.end_time;
    if (body.input !== undefined) patch.input_template = body.input as ScheduleUpdateInput['input_template'];
    if (body.metadata !== undefined)
      patch.metadata = { ...current.metadata, ...body.metadata } as ScheduleUpdateInput['metadata'];
    if (body.webhook !== undefined) patch.webhook = body.webhook;
    if (body.on_run_completed !== undefined) patch.on_run_completed = body.on_run_completed;
    const kept = keptFields(body);
    if (Object.keys(kept).length > 0) patch.config = { ...current.config, ...kept } as ScheduleUpdateInput['config'];
    let updated = Object.keys(patch).length > 0 ? await schedules.update(actor, id, patch) : current;
    // Pausing also cancels runs created ahead; resuming follows the misfire policy.
    if (body.enabled === false && updated.enabled) updated = await schedules.pause(actor, id);
    if (body.enabled === true && !updated.enabled) updated = await schedules.resume(actor, id);
    return c.json(toCron(updated), 200);
  });

  app.openapi(langGraphCronRoutes.delete, async (c) => {
    await schedules.delete(c.var.actor, c.req.valid('param').cron_id);
    return c.body(null, 204);
  });

  app.openapi(langGraphCronRoutes.search, async (c) => {
    const body = c.req.valid('json');
    const { items } = await schedules.search(c.var.actor, {
      ...(body.assistant_id !== undefined && { assistantRef: body.assistant_id }),
      ...(body.thread_id !== undefined && { threadId: body.thread_id }),
      ...(body.enabled !== undefined && { enabled: body.enabled }),
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      orderBy: { column: orderColumns[body.sort_by], direction: body.sort_order },
      limit: body.limit,
      offset: body.offset,
    });
    return c.json(items.map((item) => project(toCron(item), body.select)) as LangGraphCron[], 200);
  });

  app.openapi(langGraphCronRoutes.count, async (c) => {
    const body = c.req.valid('json');
    const { total } = await schedules.search(c.var.actor, {
      ...(body.assistant_id !== undefined && { assistantRef: body.assistant_id }),
      ...(body.thread_id !== undefined && { threadId: body.thread_id }),
      ...(body.enabled !== undefined && { enabled: body.enabled }),
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      limit: 1,
      offset: 0,
    });
    return c.json(total, 200);
  });
}
