import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import type { Database } from '../../store/database.ts';
import { pingDatabase } from '../../store/ping.ts';
import { backlogThresholdMs, readRunBacklog, type RunBacklog } from '../../store/run-backlog.ts';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.ts';
import { version } from '../../version.ts';
import { mountApiDocs } from '../api-docs.ts';
import type { ApiEnv } from '../env.ts';

export const openApiPath = '/api/v1/openapi.json';

const Health = z
  .object({
    status: z.enum(['ok', 'error']),
    database: z.string(),
    version: z.string().optional(),
    replica: z.string().optional(),
    roles: z.array(z.string()).optional(),
    database_latency_ms: z.number().optional(),
    backlog: z
      .object({
        due: z.number().int().openapi({ description: 'Pending runs that are due (not_before passed) and not started' }),
        oldest_pending_age_ms: z
          .number()
          .int()
          .nullable()
          .openapi({ description: 'How long the oldest of them has waited, ms; null when none' }),
        behind: z
          .boolean()
          .openapi({ description: 'True when the oldest has waited a second or more: the workers are saturated' }),
      })
      .optional()
      .openapi({ description: 'Saturation: runs due and waiting for a worker slot (all replicas)' }),
    error: z.string().optional(),
    cli: z.string().optional().openapi({
      description:
        "The absolute path of this install's bin/kairos.js (for MCP client configs); only when the server listens on loopback",
    }),
  })
  .openapi('Health');

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const cliPath = join(packageRoot, 'bin', 'kairos.js');

export const systemRoutes = {
  health: createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['system'],
    summary: 'Liveness and database reachability (no auth)',
    responses: {
      200: { description: 'Healthy', content: { 'application/json': { schema: Health } } },
      503: { description: 'The database is unreachable', content: { 'application/json': { schema: Health } } },
    },
  }),
  metrics: createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['system'],
    summary: 'Prometheus metrics (no auth)',
    responses: {
      200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } },
    },
  }),
};

export interface SystemDeps {
  config: Config;
  db: Database;
  logger: Logger;
  replicaId: string;
  metrics: Metrics;
}

/** Health, metrics, the OpenAPI document and the interactive docs: the routes without auth. */
export function registerSystemRoutes(app: OpenAPIHono<ApiEnv>, deps: SystemDeps): void {
  app.openapi(systemRoutes.health, async (c) => {
    const started = performance.now();
    let backlog: RunBacklog;
    let latencyMs: number;
    try {
      await pingDatabase(deps.db);
      latencyMs = performance.now() - started;
      backlog = await readRunBacklog(deps.db, Date.now());
    } catch (error) {
      deps.logger.error({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'error' as const, database: deps.db.kind, error: 'database unreachable' }, 503);
    }
    return c.json(
      {
        status: 'ok' as const,
        database: deps.db.kind,
        version,
        replica: deps.replicaId,
        roles: [...deps.config.roles],
        database_latency_ms: Math.round(latencyMs * 100) / 100,
        backlog: {
          due: backlog.due,
          oldest_pending_age_ms: backlog.oldestAgeMs,
          behind: backlog.oldestAgeMs !== null && backlog.oldestAgeMs >= backlogThresholdMs,
        },
        // Only someone on this machine can reach a loopback server: the path tells no one else anything.
        ...(loopbackHosts.has(deps.config.server.host) && { cli: cliPath }),
      },
      200,
    );
  });

  app.openapi(systemRoutes.metrics, async (c) =>
    c.text(await deps.metrics.text(), 200, { 'Content-Type': deps.metrics.contentType }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer kairos_…`',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'An API key: `x-api-key: kairos_…`',
  });
  app.doc31(openApiPath, {
    openapi: '3.1.0',
    info: {
      title: 'Kairos API',
      version,
      description:
        'Scheduler and run engine for AI agents. Errors are `{"error":{"code","message","details"}}`. ' +
        'Authenticate with `Authorization: Bearer <key>` or `x-api-key: <key>`.',
    },
  });
  mountApiDocs(app, openApiPath);
}
