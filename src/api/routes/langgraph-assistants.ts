import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AssistantService } from '../../agents/assistant-service.ts';
import type { Assistant } from '../../agents/runtime.ts';
import { KairosError, invalid } from '../../errors.ts';
import { version } from '../../version.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  AssistantParams,
  LangGraphAssistant,
  LangGraphAssistantCreate,
  LangGraphAssistantSearch,
  LangGraphInfo,
} from '../schemas/langgraph.ts';

const tags = ['langgraph'];

export const langGraphAssistantRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/assistants',
    tags,
    summary: "LangGraph: create an assistant of a graph (it runs like the graph's default assistant)",
    request: { body: jsonBody(LangGraphAssistantCreate) },
    responses: { 200: json(LangGraphAssistant, 'The assistant') },
    extraErrors: { 409: 'assistant_id exists and if_exists is not do_nothing (`assistant_exists`)' },
  }),
  search: apiRoute({
    method: 'post',
    path: '/assistants/search',
    tags,
    summary: 'LangGraph: search assistants',
    request: { body: jsonBody(LangGraphAssistantSearch) },
    responses: { 200: json(LangGraphAssistant.array(), 'The matching assistants') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/assistants/{assistant_id}',
    tags,
    summary: 'LangGraph: get an assistant (by id or graph id)',
    request: { params: AssistantParams },
    responses: { 200: json(LangGraphAssistant, 'The assistant') },
  }),
  info: createRoute({
    method: 'get',
    path: '/info',
    tags,
    summary: 'LangGraph: server information and capability flags (no auth)',
    responses: { 200: json(LangGraphInfo, 'Version and flags') },
  }),
};

/** A Kairos assistant as LangGraph's Assistant; the graph id is the assistant's own id when it has none. */
export function toLangGraphAssistant(assistant: Assistant) {
  return {
    assistant_id: assistant.id,
    graph_id: assistant.graphId ?? assistant.id,
    config: {},
    context: {},
    metadata: assistant.metadata,
    version: assistant.version,
    name: assistant.name,
    description: assistant.description,
    created_at: assistant.createdAt.toISOString(),
    updated_at: assistant.updatedAt.toISOString(),
  };
}

type View = ReturnType<typeof toLangGraphAssistant>;

const isEmpty = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);

export function registerLangGraphAssistantRoutes(app: OpenAPIHono<ApiEnv>, assistants: AssistantService): void {
  app.openapi(langGraphAssistantRoutes.create, async (c) => {
    const actor = c.var.actor;
    const body = c.req.valid('json');
    // Kairos assistants are configured by kind (url, model, module), not by a graph config.
    if (!isEmpty(body.config))
      throw invalid(
        'config',
        'is not supported here: configure the assistant with the native API (PATCH /api/v1/assistants/{id})',
      );
    if (!isEmpty(body.context))
      throw invalid(
        'context',
        'is not supported here: configure the assistant with the native API (PATCH /api/v1/assistants/{id})',
      );
    if (body.assistant_id !== undefined) {
      const existing = await assistants.get(actor, body.assistant_id).catch(() => undefined);
      if (!existing) throw invalid('assistant_id', 'Kairos chooses assistant ids: leave it out');
      if (body.if_exists !== 'do_nothing') {
        throw new KairosError(
          'assistant_exists',
          `assistant ${body.assistant_id} already exists; pass if_exists: "do_nothing" to get it back`,
          {
            status: 409,
            details: { assistant_id: body.assistant_id },
          },
        );
      }
      return c.json(toLangGraphAssistant(existing), 200);
    }
    const template = await assistants.resolve(actor, body.graph_id);
    const created = await assistants.create(actor, {
      name: body.name ?? body.graph_id,
      ...(body.description !== undefined && { description: body.description }),
      kind: template.kind,
      config: template.config,
      graph_id: template.graphId ?? body.graph_id,
      metadata: body.metadata ?? {},
    });
    return c.json(toLangGraphAssistant(created), 200);
  });

  app.openapi(langGraphAssistantRoutes.search, async (c) => {
    const body = c.req.valid('json');
    // Assistants are few: read the matches (up to 1000), order them here, then page.
    const { items } = await assistants.list(c.var.actor, {
      ...(body.graph_id !== undefined && { graph_id: body.graph_id }),
      ...(body.name !== undefined && { name: body.name }),
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      limit: 1000,
    });
    const direction = body.sort_order === 'asc' ? 1 : -1;
    const key = body.sort_by;
    const views = items
      .map(toLangGraphAssistant)
      .sort(
        (a, b) =>
          direction * String(a[key]).localeCompare(String(b[key])) || a.assistant_id.localeCompare(b.assistant_id),
      )
      .slice(body.offset, body.offset + body.limit);
    const select = body.select;
    const projected = select
      ? views.map((view) => Object.fromEntries(select.map((field) => [field, view[field as keyof View]])))
      : views;
    return c.json(projected as View[], 200);
  });

  app.openapi(langGraphAssistantRoutes.get, async (c) =>
    c.json(toLangGraphAssistant(await assistants.resolve(c.var.actor, c.req.valid('param').assistant_id)), 200),
  );
}

/** `GET /info`: what LangGraph clients probe for (crons are supported). */
export function registerLangGraphInfoRoute(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(langGraphAssistantRoutes.info, (c) =>
    c.json({ version, flags: { assistants: true, crons: true, langsmith: false }, host: null }, 200),
  );
}
