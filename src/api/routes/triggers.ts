import type { OpenAPIHono } from '@hono/zod-openapi';
import type { TriggerCreateInput, TriggerUpdateInput } from '../../triggers/trigger-input.ts';
import type { TriggerService } from '../../triggers/trigger-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import {
  DeliveryList,
  DeliveryListQuery,
  Trigger,
  TriggerCreate,
  TriggerList,
  TriggerListQuery,
  TriggerUpdate,
} from '../schemas/triggers.ts';

const tags = ['triggers'];

export const triggerRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/triggers',
    tags,
    summary: 'Create an inbound trigger: signed deliveries to its URL become runs',
    request: { body: jsonBody(TriggerCreate) },
    responses: { 201: json(Trigger, 'The trigger, with its url') },
    extraErrors: { 409: 'Name taken (`name_taken`)' },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/triggers',
    tags,
    summary: 'List triggers, newest first',
    request: { query: TriggerListQuery },
    responses: { 200: json(TriggerList, 'A page of triggers') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/triggers/{id}',
    tags,
    summary: 'Get a trigger',
    request: { params: ResourceParams },
    responses: { 200: json(Trigger, 'The trigger') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/triggers/{id}',
    tags,
    summary: 'Change a trigger (partial; `auth` is replaced whole)',
    request: { params: ResourceParams, body: jsonBody(TriggerUpdate) },
    responses: { 200: json(Trigger, 'The trigger') },
    extraErrors: { 409: 'Name taken (`name_taken`)' },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/triggers/{id}',
    tags,
    summary: 'Delete a trigger and its delivery history (its runs stay)',
    request: { params: ResourceParams },
    responses: { 204: { description: 'Deleted' } },
  }),
  deliveries: apiRoute({
    method: 'get',
    path: '/api/v1/triggers/{id}/deliveries',
    tags,
    summary: "A trigger's deliveries, newest first: accepted and refused, with the reason and the run",
    request: { params: ResourceParams, query: DeliveryListQuery },
    responses: { 200: json(DeliveryList, 'A page of deliveries') },
  }),
};

export function registerTriggerRoutes(app: OpenAPIHono<ApiEnv>, triggers: TriggerService): void {
  // The bodies are checked to be JSON objects here and parsed strictly by the service.
  app.openapi(triggerRoutes.create, async (c) =>
    c.json(await triggers.create(c.var.actor, c.req.valid('json') as TriggerCreateInput), 201),
  );
  app.openapi(triggerRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await triggers.list(c.var.actor, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(triggerRoutes.get, async (c) => c.json(await triggers.get(c.var.actor, c.req.valid('param').id), 200));
  app.openapi(triggerRoutes.update, async (c) =>
    c.json(await triggers.update(c.var.actor, c.req.valid('param').id, c.req.valid('json') as TriggerUpdateInput), 200),
  );
  app.openapi(triggerRoutes.delete, async (c) => {
    await triggers.delete(c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(triggerRoutes.deliveries, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await triggers.deliveries(c.var.actor, c.req.valid('param').id, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
}
