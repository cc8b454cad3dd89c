import type { OpenAPIHono } from '@hono/zod-openapi';
import { providerToJson, type ProviderService } from '../../providers/provider-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import { Provider, ProviderCreate, ProviderList, ProviderListQuery, ProviderUpdate } from '../schemas/providers.ts';

const tags = ['providers'];

export const providerRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/providers',
    tags,
    summary: 'Create a model provider (base URL, key reference, rpm/tpm/max_concurrent)',
    request: { body: jsonBody(ProviderCreate) },
    responses: { 201: json(Provider, 'The provider') },
    extraErrors: { 409: 'You already have a provider of that name (`conflict`)' },
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/providers',
    tags,
    summary: 'List providers (yours; admins: all) with their current usage',
    request: { query: ProviderListQuery },
    responses: { 200: json(ProviderList, 'A page of providers') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/providers/{id}',
    tags,
    summary: 'Get a provider',
    request: { params: ResourceParams },
    responses: { 200: json(Provider, 'The provider') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/providers/{id}',
    tags,
    summary: 'Change a provider (partial; null removes a limit)',
    request: { params: ResourceParams, body: jsonBody(ProviderUpdate) },
    responses: { 200: json(Provider, 'The provider') },
    extraErrors: { 409: 'You already have a provider of that name (`conflict`)' },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/providers/{id}',
    tags,
    summary: 'Delete a provider',
    request: { params: ResourceParams },
    responses: { 204: { description: 'Deleted' } },
    extraErrors: { 409: 'Assistants still name it (`provider_in_use`; details name them)' },
  }),
};

export function registerProviderRoutes(app: OpenAPIHono<ApiEnv>, providers: ProviderService): void {
  app.openapi(providerRoutes.create, async (c) =>
    c.json(providerToJson(await providers.create(c.var.actor, c.req.valid('json'))), 201),
  );
  app.openapi(providerRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await providers.list(c.var.actor, query);
    return c.json({ data: items.map(providerToJson), total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(providerRoutes.get, async (c) =>
    c.json(providerToJson(await providers.get(c.var.actor, c.req.valid('param').id)), 200),
  );
  app.openapi(providerRoutes.update, async (c) =>
    c.json(providerToJson(await providers.update(c.var.actor, c.req.valid('param').id, c.req.valid('json'))), 200),
  );
  app.openapi(providerRoutes.delete, async (c) => {
    await providers.delete(c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
