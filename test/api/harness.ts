import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createAssistantTestCalls } from '../../src/agents/assistant-test-call.ts';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { defineAssistant } from '../../src/agents/define-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { createThreadService } from '../../src/agents/thread-service.ts';
import type { UserRole } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { RunService } from '../../src/worker/run-service.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { DeliveryService } from '../../src/triggers/delivery-service.ts';
import { TriggerService } from '../../src/triggers/trigger-service.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { createApiApp } from '../../src/api/app.ts';
import { WaitService } from '../../src/runs/wait-service.ts';
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
  let runs: RunService | undefined;
  if (options.services) {
    const registry = createModuleRegistry([defineAssistant({ id: 'echo', name: 'Echo', run: (input) => input })]);
    const assistants = createAssistantService({ db: database.db, config, registry });
    const threads = createThreadService({ db: database.db, assistants, threadMaxMessages: config.threadMaxMessages });
    runs = new RunService({
      db: database.db,
      clock: systemClock,
      startDeadlineMs: config.worker.startDeadlineMs,
      assistants,
    });
    const workflows = new WorkflowService({
      db: database.db,
      clock: systemClock,
      assistants,
      registry,
      startDeadlineMs: config.worker.startDeadlineMs,
    });
    const schedules = new ScheduleService({
      db: database.db,
      clock: systemClock,
      config: config.scheduler,
      startDeadlineMs: config.worker.startDeadlineMs,
      assistants,
      workflows,
    });
    const triggers = new TriggerService({ db: database.db, assistants, workflows, publicUrl: config.server.publicUrl });
    const deliveries = new DeliveryService({
      db: database.db,
      clock: systemClock,
      assistants,
      workflows,
      runs,
      env: process.env,
      maxBodyBytes: config.server.maxBodyBytes,
      startDeadlineMs: config.worker.startDeadlineMs,
    });
    const execution = createAssistantExecution({ db: database.db, logger: createLogger('silent'), config, registry });
    services = {
      assistants,
      threads,
      runs,
      schedules,
      workflows,
      triggers,
      deliveries,
      testCalls: createAssistantTestCalls({ assistants, execution }),
      waits: new WaitService({ db: database.db, clock: systemClock }),
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
      await runs?.close();
      await database.close();
    },
  };
}

/** The parsed error of an error answer. */
export async function errorOf(response: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
  return body.error;
}
