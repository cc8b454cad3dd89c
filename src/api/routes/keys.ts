import type { OpenAPIHono } from '@hono/zod-openapi';
import type { KeyService } from '../../auth/key-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { IdParams } from '../schemas/common.ts';
import { ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyListQuery, toApiKeyBody } from '../schemas/keys.ts';

const tags = ['keys'];

export const keyRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/keys',
    tags,
    summary: 'Create an API key (for yourself; admins: for any user). The key is shown only in this answer.',
    request: { body: jsonBody(ApiKeyCreate) },
    responses: { 201: json(ApiKeyCreated, 'The key, with its secret') },
    extraErrors: { 409: 'The user is disabled (`user_disabled`)' },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/keys',
    tags,
    summary: 'List API keys (yours; admins: everyone’s), without their secrets',
    request: { query: ApiKeyListQuery },
    responses: { 200: json(ApiKeyList, 'A page of keys') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/keys/{id}',
    tags,
    summary: 'Get an API key',
    request: { params: IdParams },
    responses: { 200: json(ApiKey, 'The key, without its secret') },
  }),
  revoke: apiRoute({
    method: 'delete',
    path: '/api/v1/keys/{id}',
    tags,
    summary: 'Revoke an API key (idempotent)',
    request: { params: IdParams },
    responses: { 200: json(ApiKey, 'The revoked key') },
  }),
};

export function registerKeyRoutes(app: OpenAPIHono<ApiEnv>, keys: KeyService): void {
  app.openapi(keyRoutes.create, async (c) => {
    const body = c.req.valid('json');
    const { key, apiKey } = await keys.create(c.var.actor, { userId: body.user_id, name: body.name });
    return c.json({ ...toApiKeyBody(apiKey), key }, 201);
  });
  app.openapi(keyRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { keys: found, total } = await keys.list(c.var.actor, {
      userId: query.user_id,
      includeRevoked: query.include_revoked ?? false,
      limit: query.limit,
      offset: query.offset,
    });
    return c.json({ data: found.map(toApiKeyBody), total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(keyRoutes.get, async (c) =>
    c.json(toApiKeyBody(await keys.get(c.var.actor, c.req.valid('param').id)), 200),
  );
  app.openapi(keyRoutes.revoke, async (c) =>
    c.json(toApiKeyBody(await keys.revoke(c.var.actor, c.req.valid('param').id)), 200),
  );
}
