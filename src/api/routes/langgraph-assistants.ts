import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AssistantService } from '../../agents/assistant-service.ts';
import type { Assistant } from '../../agents/runtime.ts';
import type { ThreadService } from '../../agents/thread-service.ts';
import { KairosError, invalid } from '../../errors.ts';
import type { Database } from '../../store/database.ts';
import {
  findLangGraphSettings,
  saveLangGraphSettings,
  type LangGraphAssistantSettings,
} from '../../store/langgraph-assistant-settings.ts';
import { version } from '../../version.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import {
  AssistantParams,
  LangGraphAssistant,
  LangGraphAssistantCount,
  LangGraphAssistantCreate,
  LangGraphAssistantDeleteQuery,
  LangGraphAssistantSearch,
  LangGraphAssistantUpdate,
  LangGraphAssistantVersions,
  LangGraphInfo,
  LangGraphSetLatest,
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
  update: apiRoute({
    method: 'patch',
    path: '/assistants/{assistant_id}',
    tags,
    summary: 'LangGraph: change an assistant (name, description, metadata merged, config and context replaced)',
    request: { params: AssistantParams, body: jsonBody(LangGraphAssistantUpdate) },
    responses: { 200: json(LangGraphAssistant, 'The assistant') },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/assistants/{assistant_id}',
    tags,
    summary: 'LangGraph: delete an assistant (`delete_threads=true`: its threads too)',
    request: { params: AssistantParams, query: LangGraphAssistantDeleteQuery },
    responses: { 204: { description: 'Deleted' } },
    extraErrors: { 409: 'A built-in assistant (`built_in`) or one that schedules still use' },
  }),
  count: apiRoute({
    method: 'post',
    path: '/assistants/count',
    tags,
    summary: 'LangGraph: count assistants',
    request: { body: jsonBody(LangGraphAssistantCount) },
    responses: { 200: json(z.number().int(), 'The number of matching assistants') },
  }),
  versions: apiRoute({
    method: 'post',
    path: '/assistants/{assistant_id}/versions',
    tags,
    summary: "LangGraph: an assistant's versions (Kairos keeps the current one only)",
    request: { params: AssistantParams, body: jsonBody(LangGraphAssistantVersions) },
    responses: { 200: json(LangGraphAssistant.array(), 'The versions, newest first') },
  }),
  latest: apiRoute({
    method: 'post',
    path: '/assistants/{assistant_id}/latest',
    tags,
    summary: 'LangGraph: make a version the latest (only the current version exists)',
    request: { params: AssistantParams, body: jsonBody(LangGraphSetLatest) },
    responses: { 200: json(LangGraphAssistant, 'The assistant') },
  }),
  ok: createRoute({
    method: 'get',
    path: '/ok',
    tags,
    summary: 'LangGraph: liveness probe (no auth)',
    responses: { 200: json(z.object({ ok: z.literal(true) }), '`{"ok": true}`') },
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
export function toLangGraphAssistant(
  assistant: Assistant,
  settings: LangGraphAssistantSettings = { config: {}, context: {} },
) {
  return {
    assistant_id: assistant.id,
    graph_id: assistant.graphId ?? assistant.id,
    config: settings.config,
    context: settings.context,
    metadata: assistant.metadata,
    version: assistant.version,
    name: assistant.name,
    description: assistant.description,
    created_at: assistant.createdAt.toISOString(),
    updated_at: assistant.updatedAt.toISOString(),
  };
}

type View = ReturnType<typeof toLangGraphAssistant>;

export function registerLangGraphAssistantRoutes(
  app: OpenAPIHono<ApiEnv>,
  services: { db: Database; assistants: AssistantService; threads: ThreadService | undefined },
): void {
  const { db, assistants, threads } = services;

  /** Assistants as LangGraph's, each with its config and context (one query). */
  async function views(items: readonly Assistant[]): Promise<View[]> {
    const settings = await findLangGraphSettings(
      db,
      items.map((item) => item.id),
    );
    return items.map((item) => toLangGraphAssistant(item, settings.get(item.id)));
  }
  const one = async (assistant: Assistant) => (await views([assistant]))[0]!;

  app.openapi(langGraphAssistantRoutes.create, async (c) => {
    const actor = c.var.actor;
    const body = c.req.valid('json');
    if (
      body.context !== undefined &&
      (typeof body.context !== 'object' || body.context === null || Array.isArray(body.context))
    )
      throw invalid('context', 'must be an object');
    if (body.assistant_id !== undefined) {
      const existing = await assistants.get(actor, body.assistant_id).catch(() => undefined);
      if (!existing) throw invalid('assistant_id', 'Kairos chooses assistant ids: leave it out');
      if (body.if_exists !== 'do_nothing') {
        throw new KairosError(
          'assistant_exists',
          `assistant ${body.assistant_id} already exists; pass if_exists: "do_nothing" to get it back`,
          { status: 409, details: { assistant_id: body.assistant_id } },
        );
      }
      return c.json(await one(existing), 200);
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
    const settings = await saveLangGraphSettings(db, created.id, {
      config: body.config ?? {},
      context: (body.context as Record<string, unknown> | undefined) ?? {},
    });
    return c.json(toLangGraphAssistant(created, settings), 200);
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
    const page = items
      .map((item) => toLangGraphAssistant(item))
      .sort(
        (a, b) =>
          direction * String(a[key]).localeCompare(String(b[key])) || a.assistant_id.localeCompare(b.assistant_id),
      )
      .slice(body.offset, body.offset + body.limit);
    const settings = await findLangGraphSettings(
      db,
      page.map((view) => view.assistant_id),
    );
    const full = page.map((view) => ({ ...view, ...settings.get(view.assistant_id) }));
    const select = body.select;
    const projected = select
      ? full.map((view) => Object.fromEntries(select.map((field) => [field, view[field as keyof View]])))
      : full;
    return c.json(projected as View[], 200);
  });

  app.openapi(langGraphAssistantRoutes.get, async (c) =>
    c.json(await one(await assistants.resolve(c.var.actor, c.req.valid('param').assistant_id)), 200),
  );

  app.openapi(langGraphAssistantRoutes.update, async (c) => {
    const actor = c.var.actor;
    const body = c.req.valid('json');
    const current = await assistants.resolve(actor, c.req.valid('param').assistant_id);
    if (body.graph_id !== undefined && body.graph_id !== (current.graphId ?? current.id))
      throw invalid(
        'graph_id',
        `an assistant keeps its graph ("${current.graphId ?? current.id}"): create another assistant`,
      );
    const patch = {
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.metadata !== undefined && { metadata: { ...current.metadata, ...body.metadata } }),
    };
    // A config- or context-only change still passes through the service: its access check and version.
    const updated = await assistants.update(
      actor,
      current.id,
      Object.keys(patch).length > 0 ? patch : { metadata: current.metadata },
    );
    if (body.config !== undefined || body.context !== undefined) {
      await saveLangGraphSettings(db, current.id, {
        ...(body.config !== undefined && { config: body.config }),
        ...(body.context !== undefined && { context: body.context }),
      });
    }
    return c.json(await one(updated), 200);
  });

  app.openapi(langGraphAssistantRoutes.delete, async (c) => {
    const actor = c.var.actor;
    const assistant = await assistants.resolve(actor, c.req.valid('param').assistant_id);
    await assistants.delete(actor, assistant.id);
    if (c.req.valid('query').delete_threads === 'true' && threads) {
      for (;;) {
        const { items } = await threads
          .list(actor, { assistant_id: assistant.id, limit: 100 })
          .catch(() => ({ items: [] }));
        if (items.length === 0) break;
        for (const thread of items) await threads.delete(actor, thread.id);
      }
    }
    return c.body(null, 204);
  });

  app.openapi(langGraphAssistantRoutes.count, async (c) => {
    const body = c.req.valid('json');
    const { total } = await assistants.list(c.var.actor, {
      ...(body.graph_id !== undefined && { graph_id: body.graph_id }),
      ...(body.name !== undefined && { name: body.name }),
      ...(body.metadata !== undefined && { metadata: body.metadata }),
      limit: 1,
    });
    return c.json(total, 200);
  });

  app.openapi(langGraphAssistantRoutes.versions, async (c) => {
    const body = c.req.valid('json');
    const current = await one(await assistants.resolve(c.var.actor, c.req.valid('param').assistant_id));
    const matches = Object.entries(body.metadata ?? {}).every(
      ([key, value]) => JSON.stringify(current.metadata[key]) === JSON.stringify(value),
    );
    return c.json(matches ? [current].slice(body.offset, body.offset + body.limit) : [], 200);
  });

  app.openapi(langGraphAssistantRoutes.latest, async (c) => {
    const requested = c.req.valid('json').version;
    const current = await one(await assistants.resolve(c.var.actor, c.req.valid('param').assistant_id));
    if (requested !== current.version)
      throw new KairosError(
        'not_found',
        `version ${requested} of assistant ${current.assistant_id} was not found: Kairos keeps only the current version (${current.version})`,
        { status: 404, details: { id: current.assistant_id, version: requested, current: current.version } },
      );
    return c.json(current, 200);
  });
}

/** `GET /info`: what LangGraph clients probe for (crons are supported); `GET /ok`: what they check first. */
export function registerLangGraphInfoRoute(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(langGraphAssistantRoutes.ok, (c) => c.json({ ok: true as const }, 200));
  app.openapi(langGraphAssistantRoutes.info, (c) =>
    c.json({ version, flags: { assistants: true, crons: true, langsmith: false }, host: null }, 200),
  );
}
