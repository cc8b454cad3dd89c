import { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import { version } from '../version.ts';

export interface ApiContext {
  config: Config;
  db: Database;
  logger: Logger;
  replicaId: string;
}

/** The HTTP application: health now; resources are mounted by the API modules. */
export function createApiApp(context: ApiContext): Hono {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    const started = performance.now();
    try {
      await context.db.query('SELECT 1');
    } catch (error) {
      context.logger.error({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'error', database: context.db.kind, error: 'database unreachable' }, 503);
    }
    return c.json({
      status: 'ok',
      database: context.db.kind,
      version,
      replica: context.replicaId,
      roles: context.config.roles,
      database_latency_ms: Math.round((performance.now() - started) * 100) / 100,
    });
  });

  return app;
}
