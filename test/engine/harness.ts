import { createAssistantService, type AssistantService } from '../../src/agents/assistant-service.ts';
import { buildAgents } from '../../src/agents/create-agents.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services.ts';
import type { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { Scheduler } from '../../src/scheduler/scheduler-loop.ts';
import type { Metrics } from '../../src/metrics.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database } from '../../src/store/database.ts';
import type { RunRow } from '../../src/store/runs.ts';
import type { RunService } from '../../src/worker/run-service.ts';
import { WorkerPool, type WorkerPoolOptions } from '../../src/worker/worker-pool.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/databases.ts';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
  set(at: string | number): void {
    this.t = typeof at === 'string' ? Date.parse(at) : at;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export const admin: Actor = { userId: localAdminId, role: 'admin' };
export const logger = createLogger('silent');

export interface Replica {
  scheduler: Scheduler;
  worker: WorkerPool;
  schedules: ScheduleService;
  runs: RunService;
  db: Database;
}

export interface Engine extends Replica {
  test: TestDatabase;
  server: AssistantServer;
  assistantId: string;
  clock: Clock;
  /** Another replica on the same database (PostgreSQL only). */
  replica(options?: Partial<ReplicaOptions>): Replica;
  runsOf(scheduleId: string): Promise<RunRow[]>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  clock: Clock;
  allowSeconds: boolean;
  worker: Partial<WorkerPoolOptions['config']>;
  lookaheadMs: number;
  maxCatchupPerPass: number;
  misfireGraceMs: number;
  alertWebhook: string;
  /** The price table the workers' dollar budgets use (docs/gates.md "Budgets"). */
  pricing?: WorkerPoolOptions['pricing'];
  /** The scheduler's metrics (kairos_fires_total, kairos_occurrences_total); none when absent. */
  metrics?: Metrics;
}

/** The assistant service schedules and runs resolve their assistant with (no modules registered). */
export function engineAssistants(db: Database): AssistantService {
  return createAssistantService({
    db,
    config: { http: { allowPrivate: true, allowHosts: [] } },
    registry: createModuleRegistry([]),
  });
}

/** The workflow service of the engine tests (no module functions): schedules check workflow targets with it. */
export function engineWorkflows(db: Database, clock: Clock = systemClock): WorkflowService {
  const registry = createModuleRegistry([]);
  return new WorkflowService({ db, clock, assistants: engineAssistants(db), registry, startDeadlineMs: 300_000 });
}

function makeReplica(db: Database, id: string, options: ReplicaOptions): Replica {
  const workerConfig = {
    slots: 8,
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    shutdownGraceMs: 5_000,
    startDeadlineMs: 300_000,
    ...options.worker,
  };
  const config = loadConfig({ KAIROS_LOG_LEVEL: 'silent', KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
  const agents = buildAgents({ db, logger, config, registry: createModuleRegistry([]), clock: options.clock });
  const services = createServices(
    {
      ...config,
      scheduler: {
        ...config.scheduler,
        allowSeconds: options.allowSeconds,
        maxSchedulesPerUser: 100,
        requireAdmin: false,
      },
      worker: { ...config.worker, ...workerConfig },
    },
    db,
    { clock: options.clock, logger, agents },
  );
  return {
    db,
    scheduler: new Scheduler({
      db,
      clock: options.clock,
      logger,
      config: {
        lookaheadMs: options.lookaheadMs,
        batchSize: 500,
        pollIntervalMs: 2000,
        maxCatchupPerPass: options.maxCatchupPerPass,
      },
      startDeadlineMs: workerConfig.startDeadlineMs,
      misfireGraceMs: options.misfireGraceMs,
      ...(options.metrics && { metrics: options.metrics }),
    }),
    worker: new WorkerPool({
      db,
      clock: options.clock,
      logger,
      workerId: id,
      config: workerConfig,
      pollIntervalMs: 2000,
      execution: agents.execution,
      alertWebhook: options.alertWebhook,
      ...(options.pricing && { pricing: options.pricing }),
    }),
    schedules: services.schedules,
    runs: services.runs,
  };
}

/** A fresh database, a local http assistant and one replica's services (not started). */
export async function createEngine(kind: TestDatabaseKind, partial: Partial<ReplicaOptions> = {}): Promise<Engine> {
  const test = await createTestDatabase(kind);
  const server = await startAssistantServer();
  const assistant = await insertAssistant(test.db, {
    ownerId: localAdminId,
    name: 'echo',
    kind: 'http',
    config: { url: server.url },
  });
  const options: ReplicaOptions = {
    clock: systemClock,
    allowSeconds: true,
    worker: {},
    lookaheadMs: 1500,
    maxCatchupPerPass: 100,
    misfireGraceMs: 60_000,
    alertWebhook: '',
    ...partial,
  };
  const main = makeReplica(test.db, 'replica-0', options);
  const others: Replica[] = [];
  return {
    ...main,
    test,
    server,
    assistantId: assistant.id,
    clock: options.clock,
    replica(extra = {}) {
      const replica = makeReplica(test.connectAgain(), `replica-${others.length + 1}`, { ...options, ...extra });
      others.push(replica);
      return replica;
    },
    async runsOf(scheduleId) {
      const { rows } = await test.db.query<RunRow>(
        'SELECT * FROM runs WHERE schedule_id = $1 ORDER BY scheduled_for, created_at',
        [scheduleId],
      );
      return rows;
    },
    async close() {
      for (const replica of [main, ...others]) {
        await replica.scheduler.close();
        await replica.worker.close();
        await replica.runs.close();
      }
      await server.close();
      await test.close();
    },
  };
}
