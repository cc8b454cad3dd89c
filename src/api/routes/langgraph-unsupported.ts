import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { KairosError } from '../../errors.ts';
import { apiRoute } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ErrorResponse } from '../schemas/common.ts';

/**
 * LangGraph routes over graph internals that Kairos does not have (it schedules and runs agents;
 * it does not host their graphs): each answers 501 `not_supported` naming what is missing,
 * never a 404 "no route", so a client learns at once that the call cannot work here.
 */
const unsupported: ReadonlyArray<{ method: string; path: string; what: string }> = [
  { method: 'GET', path: '/assistants/:assistant_id/graph', what: 'graph drawings (Kairos does not host graphs)' },
  { method: 'GET', path: '/assistants/:assistant_id/schemas', what: 'graph schemas (Kairos does not host graphs)' },
  { method: 'GET', path: '/assistants/:assistant_id/subgraphs', what: 'subgraphs (Kairos does not host graphs)' },
  {
    method: 'GET',
    path: '/assistants/:assistant_id/subgraphs/:namespace',
    what: 'subgraphs (Kairos does not host graphs)',
  },
  { method: 'POST', path: '/threads/:thread_id/state', what: 'updating thread state (threads hold messages)' },
  { method: 'PATCH', path: '/threads/:thread_id/state', what: 'checkpoint metadata (Kairos keeps no checkpoints)' },
  { method: 'POST', path: '/threads/:thread_id/state/checkpoint', what: 'checkpoints (Kairos keeps none)' },
  { method: 'GET', path: '/threads/:thread_id/state/:checkpoint_id', what: 'checkpoints (Kairos keeps none)' },
  { method: 'POST', path: '/threads/:thread_id/history', what: 'checkpoint history (Kairos keeps no checkpoints)' },
  { method: 'POST', path: '/threads/:thread_id/copy', what: 'copying threads with their checkpoints' },
  { method: 'POST', path: '/threads/prune', what: 'pruning threads (delete them with DELETE /threads/{thread_id})' },
  {
    method: 'GET',
    path: '/threads/:thread_id/stream',
    what: "a thread's stream (join a run's: GET …/runs/{run_id}/stream)",
  },
  { method: 'POST', path: '/runs/batch', what: 'batches of runs (create them one by one with POST /runs)' },
  { method: 'POST', path: '/runs/cancel', what: 'cancelling many runs (cancel each with POST …/runs/{run_id}/cancel)' },
  { method: 'POST', path: '/store/items/search', what: 'the long-term memory store' },
  { method: 'PUT', path: '/store/items', what: 'the long-term memory store' },
  { method: 'GET', path: '/store/items', what: 'the long-term memory store' },
  { method: 'DELETE', path: '/store/items', what: 'the long-term memory store' },
  { method: 'POST', path: '/store/namespaces', what: 'the long-term memory store' },
];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export function registerLangGraphUnsupportedRoutes(app: OpenAPIHono<ApiEnv>): void {
  for (const route of unsupported) {
    const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const names = [...route.path.matchAll(/:([a-z_]+)/g)].map((match) => match[1]!);
    const params = z.object(
      Object.fromEntries(names.map((name) => [name, z.string().openapi({ param: { name, in: 'path' } })])),
    );
    const message = `${route.method} ${path}: ${route.what} is not supported by Kairos (docs/api.md, LangGraph-compatible routes)`;
    const definition = apiRoute({
      method: route.method.toLowerCase() as Method,
      path,
      tags: ['langgraph'],
      summary: `LangGraph: not supported (${route.what})`,
      ...(names.length > 0 && { request: { params } }),
      responses: {
        501: { description: message, content: { 'application/json': { schema: ErrorResponse } } },
      },
    });
    app.openapi(definition, () => {
      throw new KairosError('not_supported', message, {
        status: 501,
        details: { method: route.method, path },
      });
    });
  }
}
