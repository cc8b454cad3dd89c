import type { OpenAPIHono } from '@hono/zod-openapi';
import { assistantToJson, type AssistantService } from '../../agents/assistant-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  Assistant,
  AssistantCreate,
  AssistantDeleteQuery,
  AssistantList,
  AssistantListQuery,
  AssistantUpdate,
} from '../schemas/assistants.ts';
import { ResourceParams } from '../schemas/common.ts';

const tags = ['assistants'];

export const assistantRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/assistants',
    tags,
    summary: 'Create an assistant',
    request: { body: jsonBody(AssistantCreate) },
    responses: { 201: json(Assistant, 'The assistant') },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/assistants',
    tags,
    summary: 'List assistants (yours and built-ins; admins: all)',
    request: { query: AssistantListQuery },
    responses: { 200: json(AssistantList, 'A page of assistants') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/assistants/{id}',
    tags,
    summary: 'Get an assistant',
    request: { params: ResourceParams },
    responses: { 200: json(Assistant, 'The assistant') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/assistants/{id}',
    tags,
    summary: 'Change an assistant (partial)',
    request: { params: ResourceParams, body: jsonBody(AssistantUpdate) },
    responses: { 200: json(Assistant, 'The assistant') },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/assistants/{id}',
    tags,
    summary: 'Delete an assistant (with ?force=true, and its schedules and triggers)',
    request: { params: ResourceParams, query: AssistantDeleteQuery },
    responses: { 204: { description: 'Deleted' } },
    extraErrors: {
      409:
        'In use (`assistant_in_use`, details name the schedules, triggers and workflows; `?force=true` deletes ' +
        'its schedules and triggers with it, a workflow that calls it still refuses), or built in (`built_in`)',
    },
  }),
};

export function registerAssistantRoutes(app: OpenAPIHono<ApiEnv>, assistants: AssistantService): void {
  app.openapi(assistantRoutes.create, async (c) =>
    c.json(assistantToJson(await assistants.create(c.var.actor, c.req.valid('json'))), 201),
  );
  app.openapi(assistantRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await assistants.list(c.var.actor, query);
    return c.json({ data: items.map(assistantToJson), total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(assistantRoutes.get, async (c) =>
    c.json(assistantToJson(await assistants.get(c.var.actor, c.req.valid('param').id)), 200),
  );
  app.openapi(assistantRoutes.update, async (c) =>
    c.json(assistantToJson(await assistants.update(c.var.actor, c.req.valid('param').id, c.req.valid('json'))), 200),
  );
  app.openapi(assistantRoutes.delete, async (c) => {
    await assistants.delete(c.var.actor, c.req.valid('param').id, { force: c.req.valid('query').force === true });
    return c.body(null, 204);
  });
}
