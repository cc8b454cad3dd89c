import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import type { createApiApp } from './api/app.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { Database } from './store/database.ts';
import { migrate } from './store/migrate.ts';
import { applicationNameOf } from './store/application-name.ts';
import { lockReplicaId, type ReplicaLock } from './store/replica-lock.ts';
import { openDatabase } from './store/open-database.ts';
import { watchAvailability } from './store/database-availability.ts';
import type { PostgresDatabase } from './store/postgres-driver.ts';
import { createAgents, type Agents } from './agents/create-agents.ts';
import { seedDemoSchedule } from './demo-schedule.ts';
import { DatabaseClock } from './scheduler/db-clock.ts';
import { registerDeclaredSchedules } from './scheduler/declared-schedules.ts';
import type { ScheduleService } from './scheduler/schedule-service.ts';
import { Scheduler } from './scheduler/scheduler-loop.ts';
import type { DeliveryService } from './triggers/delivery-service.ts';
import type { TriggerService } from './triggers/trigger-service.ts';
import type { RunService } from './worker/run-service.ts';
import { BacklogMonitor } from './worker/backlog-monitor.ts';
import { WebhookDelivery } from './worker/webhook-delivery.ts';
import { WaitingWebhookDelivery } from './worker/waiting-webhook-delivery.ts';
import { WorkerPool } from './worker/worker-pool.ts';
import { addressGuardFromConfig } from './agents/address-guard.ts';
import { createServices } from './services.ts';
import type { PrecheckService } from './gates/precheck-service.ts';
import { localModeProbe } from './auth/local-mode.ts';
import { startTracing, type Tracing } from './observability/tracing.ts';
import type { WorkflowService } from './workflows/workflow-service.ts';
import type { WaitService } from './waits/wait-service.ts';
import type { ApprovalLinks } from './waits/approval-links.ts';
import { WaitTimers } from './runs/wait-timers.ts';
import { DebounceTimers } from './triggers/debounce-timers.ts';
import type { WorkflowDefinition } from './workflows/workflow-definition.ts';

/** A long-lived part of a replica (scheduler loop, worker pool): started once, closed gracefully. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface KairosOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** An already open database (tests); otherwise opened from `config.database` and closed on close. */
  db?: Database;
}

/**
 * The composition root: config → store → services → roles. One replica of Kairos.
 *
 * @example
 * const kairos = await createKairos({ config: loadConfig() });
 * await kairos.start();
 * const { port } = await kairos.listen();
 */
export class Kairos {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly db: Database;
  readonly replicaId: string;
  readonly metrics: Metrics;
  private apiApp: ReturnType<typeof createApiApp> | undefined;
  /** Schedules: CRUD, pause/resume, trigger, preview, stats (see docs/scheduling.md). */
  readonly schedules: ScheduleService;
  /** Runs: api runs, read, list, cancel, wait, trace. */
  readonly runs: RunService;
  /** Inbound triggers: CRUD and delivery history (see docs/triggers.md). */
  readonly triggers: TriggerService;
  /** Receives deliveries to trigger URLs and turns them into `event` runs. */
  readonly deliveries: DeliveryService;
  /** Workflows: CRUD, validate, run (see docs/workflows.md). */
  readonly workflows: WorkflowService;
  /** Decisions, events and the approvals inbox of runs that wait (see docs/waits.md). */
  readonly waits: WaitService;
  /** Signed one-time approval links (docs/waits.md). */
  readonly approvalLinks: ApprovalLinks;
  /** Prechecks (docs/gates.md): the worker runs them, the API tests them. */
  readonly prechecks: PrecheckService;
  /** Assistants, threads and the module registry (src/agents). */
  readonly agents: Agents;
  /** The engine's clock: database time, or the injected clock (tests). */
  readonly engineClock: Clock;
  private readonly services: Service[] = [];
  private readonly ownsDatabase: boolean;
  private server: ServerType | undefined;
  /** OpenTelemetry export (off unless configured), flushed and stopped last on close. */
  tracing: Tracing | undefined;
  private closing: Promise<void> | undefined;

  /** The fallback poll of the loops: shorter when notifications cannot reach this replica. */
  private readonly pollIntervalMs: number;

  private constructor(
    options: KairosOptions & {
      db: Database;
      logger: Logger;
      agents: Agents;
      pollIntervalMs: number;
      replicaId: string;
      metrics: Metrics;
      replicaLock?: ReplicaLock | undefined;
    },
    ownsDatabase: boolean,
  ) {
    this.config = options.config;
    this.logger = options.logger;
    this.agents = options.agents;
    this.clock = options.clock ?? systemClock;
    this.db = options.db;
    this.ownsDatabase = ownsDatabase;
    this.pollIntervalMs = options.pollIntervalMs;
    this.replicaId = options.replicaId;
    this.metrics = options.metrics;
    const lock = options.replicaLock;
    // First in, so closed last: the id stays held until every service has stopped.
    if (lock) this.services.push({ name: 'replica id lock', start: async () => {}, close: () => lock.release() });
    this.engineClock = this.registerEngine(options.clock);
    const services = createServices(this.config, this.db, {
      clock: this.engineClock,
      logger: this.logger,
      agents: this.agents,
    });
    this.workflows = services.workflows;
    this.schedules = services.schedules;
    this.runs = services.runs;
    this.triggers = services.triggers;
    this.deliveries = services.deliveries;
    this.waits = services.waits;
    this.approvalLinks = services.approvalLinks;
    this.prechecks = services.prechecks;
    this.services.push({ name: 'services', start: async () => {}, close: () => services.close() });
    this.registerRoles();
  }

  /**
   * The HTTP app (Hono: the native API, the LangGraph routes, MCP, the dashboard). Only replicas
   * with the `api` role load it: a scheduler/worker replica does without its modules' memory.
   */
  get api(): ReturnType<typeof createApiApp> {
    if (!this.apiApp)
      throw new Error('this replica does not play the api role: add "api" to KAIROS_ROLES to serve the HTTP API');
    return this.apiApp;
  }

  private async loadApi(): Promise<void> {
    const [{ createApiApp }, { mountDashboard }] = await Promise.all([
      import('./api/app.ts'),
      import('./api/dashboard.ts'),
    ]);
    this.apiApp = createApiApp({
      config: this.config,
      db: this.db,
      logger: this.logger,
      replicaId: this.replicaId,
      metrics: this.metrics,
      services: {
        schedules: this.schedules,
        runs: this.runs,
        assistants: this.agents.assistants,
        threads: this.agents.threads,
        workflows: this.workflows,
        triggers: this.triggers,
        deliveries: this.deliveries,
        testCalls: this.agents.testCalls,
        prechecks: this.prechecks,
        waits: this.waits,
        approvalLinks: this.approvalLinks,
        providers: this.agents.providers,
      },
    });
    mountDashboard(this.apiApp);
  }

  /** Database time for the engine, measured at start, unless a clock is injected. */
  private registerEngine(injected: Clock | undefined): Clock {
    if (injected) return injected;
    const clock = new DatabaseClock(this.db, { id: this.replicaId, roles: this.config.roles }, this.logger);
    this.services.push(clock);
    return clock;
  }

  /** The scheduler and worker roles; closed in reverse order, so the scheduler stops first. */
  private registerRoles(): void {
    const { config, db, logger, engineClock: clock } = this;
    if (config.roles.includes('worker') && config.worker.slots > 0) {
      this.services.push(
        new WorkerPool({
          db,
          clock,
          logger: logger.child({ role: 'worker' }),
          workerId: this.replicaId,
          provenWorkerId: this.services.some((service) => service.name === 'replica id lock'),
          config: config.worker,
          pollIntervalMs: this.pollIntervalMs,
          alertWebhook: config.alertWebhook,
          execution: this.agents.execution,
          metrics: this.metrics,
          pricing: config.pricing,
          prechecks: this.prechecks,
        }),
      );
    }
    if (config.roles.includes('worker')) {
      // Saturation: the backlog of due runs as gauges, and a log line a minute while behind.
      this.services.push(
        new BacklogMonitor({ db, clock, logger: logger.child({ role: 'worker' }), metrics: this.metrics }),
      );
      // Timers and wait timeouts end on any worker replica, exactly once (docs/waits.md).
      this.services.push(
        new WaitTimers({ db, clock, logger: logger.child({ role: 'waits' }), pollIntervalMs: this.pollIntervalMs }),
      );
      this.services.push(
        new WebhookDelivery({
          db,
          clock,
          logger: logger.child({ role: 'webhooks' }),
          guard: addressGuardFromConfig(config, undefined, localModeProbe(db, config.server.host)),
          pollIntervalMs: this.pollIntervalMs,
        }),
      );
      this.services.push(
        new WaitingWebhookDelivery({
          db,
          clock,
          logger: logger.child({ role: 'webhooks' }),
          guard: addressGuardFromConfig(config, undefined, localModeProbe(db, config.server.host)),
          links: this.approvalLinks,
          pollIntervalMs: this.pollIntervalMs,
        }),
      );
    }
    if (config.roles.includes('scheduler')) {
      // Debounced trigger deliveries start their one run on any scheduler replica, exactly once.
      this.services.push(
        new DebounceTimers({
          db,
          clock,
          logger: logger.child({ role: 'debounce' }),
          pollIntervalMs: this.pollIntervalMs,
          startDeadlineMs: config.worker.startDeadlineMs,
        }),
      );
      this.services.push(
        new Scheduler({
          db,
          clock,
          logger: logger.child({ role: 'scheduler' }),
          config: { ...config.scheduler, pollIntervalMs: this.pollIntervalMs },
          startDeadlineMs: config.worker.startDeadlineMs,
          runRetentionDays: config.runRetentionDays,
          metrics: this.metrics,
        }),
      );
    }
  }

  static async create(options: KairosOptions): Promise<Kairos> {
    const logger = options.logger ?? createLogger(options.config.logLevel, undefined, options.config.logFormat);
    const replicaId = options.config.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const opened =
      options.db ??
      (await openDatabase(options.config.database, {
        applicationName: applicationNameOf(replicaId),
        sessionTimeoutMs: options.config.worker.leaseMs,
      }));
    const metrics = createMetrics({ processMetrics: true, scheduleLabel: options.config.metricsScheduleLabel });
    metrics.databaseReachable.set(1);
    // Every statement reports whether the server answered: an outage is logged once, not per query.
    const db = watchAvailability(opened, {
      unreachable: (error) => {
        metrics.databaseReachable.set(0);
        metrics.databaseOutages.inc();
        logger.error(
          { err: error },
          'the database is unreachable; Kairos keeps retrying (the API answers 503 meanwhile)',
        );
      },
      reachable: (downForMs) => {
        metrics.databaseReachable.set(1);
        logger.info({ down_ms: downForMs }, 'the database is reachable again');
      },
    });
    let replicaLock: ReplicaLock | undefined;
    try {
      // A stable replica id is one live process's at a time: proof that runs leased to it are orphans.
      if (options.config.replicaId && opened.kind === 'postgres')
        replicaLock = await lockReplicaId({
          connectionString: options.config.database.listenUrl ?? options.config.database.url!,
          schema: opened.schema,
          replicaId: options.config.replicaId,
          applicationName: applicationNameOf(replicaId),
          lost: (error) => logger.error({ err: error }, 'this replica lost its id lock to another process'),
        });
      await migrate(db);
      const pollIntervalMs = await notificationFallback(opened, options.config, logger);
      const agents = await createAgents({ db, logger, config: options.config });
      const kairos = new Kairos(
        { ...options, db, logger, agents, pollIntervalMs, replicaId, metrics, replicaLock },
        !options.db,
      );
      if (options.config.roles.includes('api')) await kairos.loadApi();
      kairos.tracing = await startTracing(options.config.tracing, logger);
      const declared = agents.registry.workflows ?? [];
      if (declared.length > 0) {
        const registered = await kairos.workflows.registerDeclared(declared as WorkflowDefinition[]);
        logger.info(
          { workflows: registered.map((w) => ({ name: w.name, version: w.version })) },
          'workflows of the config file registered',
        );
      }
      if (options.config.demo) await seedDemoSchedule(kairos.schedules, db, logger);
      // The config file's schedules, on every replica: a refused declaration stops the start.
      await registerDeclaredSchedules({
        db,
        schedules: kairos.schedules,
        assistants: agents.assistants,
        registry: agents.registry,
        logger,
        owner: options.config.configOwner,
        now: () => kairos.engineClock.now(),
      });
      return kairos;
    } catch (error) {
      await replicaLock?.release();
      if (!options.db) await db.close();
      throw error;
    }
  }

  /** Runs executing in this replica now (0 without the worker role). */
  get runsInFlight(): number {
    const pool = this.services.find((service): service is WorkerPool => service instanceof WorkerPool);
    return pool?.activeCount ?? 0;
  }

  /** Starts the background roles (scheduler, worker) this replica plays. */
  async start(): Promise<void> {
    for (const service of this.services) await service.start();
  }

  /**
   * Serves the HTTP API on the configured (or given) host and port. A port that cannot be bound
   * rejects with an error that says how to choose another (call it before `start()`, so a
   * failed start has fired nothing).
   */
  async listen(port = this.config.server.port, host = this.config.server.host): Promise<AddressInfo> {
    const { serve } = await import('@hono/node-server');
    return new Promise((resolve, reject) => {
      const server = serve({ fetch: this.api.fetch, port, hostname: host }, (info) => {
        this.server = server;
        resolve(info);
      });
      server.once('error', (error: NodeJS.ErrnoException) => {
        server.close();
        reject(listenError(error, host, port));
      });
    });
  }

  /** Stops accepting requests, closes every service gracefully, then the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      if (server) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        await closed;
      }
      for (const service of [...this.services].reverse()) {
        try {
          await service.close();
        } catch (error) {
          this.logger.error({ err: error, service: service.name }, 'service did not close cleanly');
        }
      }
      if (this.ownsDatabase) await this.db.close();
      await this.tracing?.close().catch((error: unknown) => this.logger.warn({ err: error }, 'flushing traces failed'));
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** What a failed bind means for the operator: the port and how to pick another. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (error.code === 'EADDRINUSE')
    return new Error(
      `cannot listen on ${where}: the port is in use (another Kairos?). Stop it, or choose another port ` +
        'with PORT=… or `kairos serve --port …`',
      { cause: error },
    );
  if (error.code === 'EACCES')
    return new Error(`cannot listen on ${where}: permission denied; choose a port above 1023 with PORT=…`, {
      cause: error,
    });
  if (error.code === 'EADDRNOTAVAIL')
    return new Error(`cannot listen on ${where}: no such address on this machine; check HOST`, { cause: error });
  return error;
}

/**
 * The loops' fallback poll. Behind a transaction-mode pooler without a direct LISTEN connection
 * (`KAIROS_LISTEN_DATABASE_URL`), notifications never arrive: say so once, and poll every second.
 */
async function notificationFallback(db: Database, config: Config, logger: Logger): Promise<number> {
  const poll = config.scheduler.pollIntervalMs;
  if (db.kind !== 'postgres' || !('probeNotifications' in db)) return poll;
  const postgres = db as PostgresDatabase;
  if (await postgres.probeNotifications().catch(() => false)) return poll;
  const fallback = Math.min(poll, 1000);
  logger.warn(
    { poll_interval_ms: fallback, behind_pooler: postgres.behindPooler },
    'LISTEN/NOTIFY does not reach this replica (a transaction-mode pooler such as PgBouncer?): polling every ' +
      `${fallback} ms instead; set KAIROS_LISTEN_DATABASE_URL to a direct connection for prompt wake-ups`,
  );
  return fallback;
}
