import { defineAssistant } from '../../src/agents/define-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import type { UserRole } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { createServices, type Services } from '../../src/services.ts';
import { createAgents } from '../../src/agents/create-agents.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { createApiApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase, type TestDatabaseKind } from '../helpers/databases.ts';

export interface Caller {
  userId: string;
  key: string;
  keyId: string;
}

export interface ApiHarness {
  app: ReturnType<typeof createApiApp>;
  db: Database;
  metrics: Metrics;
  /** Creates a user with this role (named uniquely) and a key for it. */
  caller(role: UserRole, name?: string): Promise<Caller>;
  /** A request with an optional key (Bearer) and JSON body. */
  call(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * An API app on a fresh migrated database, with no keys (so local mode on loopback). With
 * `services`, the resource routes are mounted over the real services (one module assistant and module, `echo`; workflows included).
 */
export async function createApiHarness(
  kind: TestDatabaseKind,
  env: Record<string, string> = {},
  options: { services?: boolean } = {},
): Promise<ApiHarness> {
  const database = await createTestDatabase(kind);
  const config = loadConfig({ KAIROS_LOG_LEVEL: 'silent', ...env });
  const metrics = createMetrics();
  let services = {};
  let built: Services | undefined;
  if (options.services) {
    const registry = createModuleRegistry([defineAssistant({ id: 'echo', name: 'Echo', run: (input) => input })]);
    const agents = await createAgents({
      db: database.db,
      logger: createLogger('silent'),
      config,
      registry,
      ensureBuiltIns: false,
    });
    built = createServices(config, database.db, { clock: systemClock, logger: createLogger('silent'), agents });
    services = {
      assistants: agents.assistants,
      threads: agents.threads,
      runs: built.runs,
      schedules: built.schedules,
      workflows: built.workflows,
      triggers: built.triggers,
      deliveries: built.deliveries,
      testCalls: agents.testCalls,
      waits: built.waits,
      approvalLinks: built.approvalLinks,
      providers: agents.providers,
      prechecks: built.prechecks,
    };
  }
  const app = createApiApp({
    config,
    db: database.db,
    logger: createLogger('silent'),
    replicaId: 'test',
    metrics,
    services,
  });
  return {
    app,
    db: database.db,
    metrics,
    async caller(role, name) {
      const issued = await issueKeyDirect(database.db, { role, userName: name ?? `${role}-${++counter}` });
      return { userId: issued.user.id, key: issued.key, keyId: issued.apiKey.id };
    },
    call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      return Promise.resolve(
        app.request(path, {
          method,
          headers,
          body:
            options.body === undefined
              ? undefined
              : typeof options.body === 'string'
                ? options.body
                : JSON.stringify(options.body),
        }),
      );
    },
    async close() {
      await built?.close();
      await database.close();
    },
  };
}

/** The parsed error of an error answer. */
export async function errorOf(response: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
  return body.error;
}
