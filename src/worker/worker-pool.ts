import type { Pricing } from '../observability/pricing.ts';
import type { AssistantExecutionDeps } from '../agents/execute-assistant.ts';
import { executeAssistant } from '../agents/execute-assistant.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { Wakeup } from '../wakeup.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import { nextPendingAt } from '../store/next-pending-at.ts';
import { claimRuns, rateWindowMs, type ClaimedRun } from './claim-runs.ts';
import { expireStartDeadlines } from './expire-start-deadlines.ts';
import { FullPeriods } from './full-periods.ts';
import type { WorkerHistory } from './late-runs.ts';
import { FinishBatcher } from './finish-batcher.ts';
import { writeFinishes } from './finish-writer.ts';
import { LeaseGone, performRun, type RunExecutor } from './perform-run.ts';
import type { FailureAlert } from './record-outcomes.ts';
import { recoverExpiredLeases } from './recover-expired-leases.ts';
import { accountEndedRuns, checkSkipAlerts, checkTokenAlert, sendFailureAlerts } from './run-alerts.ts';
import { heartbeatRuns } from '../store/run-leases.ts';
import { releaseRuns, type LeaseKey } from './run-lease.ts';
import { cancelled } from './run-retry.ts';
import { executeWorkflow } from '../workflows/execute-workflow.ts';
import { addressGuardFromConfig } from '../agents/address-guard.ts';
import { PrecheckService } from '../gates/precheck-service.ts';

export type { RunExecutor } from './perform-run.ts';

export interface WorkerPoolOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** This replica's id: the lease owner of every run it holds. */
  workerId: string;
  /**
   * This process holds the lock of `workerId` (a KAIROS_REPLICA_ID, see src/store/replica-lock.ts):
   * runs leased to it were left by its dead predecessor and are recovered at start, not at lease expiry.
   */
  provenWorkerId?: boolean;
  config: Pick<Config['worker'], 'slots' | 'leaseMs' | 'heartbeatMs' | 'shutdownGraceMs' | 'startDeadlineMs'>;
  /** Fallback poll for lost notifications. */
  pollIntervalMs: number;
  alertWebhook?: string | undefined;
  /** How assistants run (see createAssistantExecution); ignored when `execute` is given. */
  execution?: AssistantExecutionDeps;
  execute?: RunExecutor;
  /**
   * How far ahead of their `not_before` the loop claims runs (default 200 ms): the claim's
   * transaction is done before the run is due, and the POST leaves on a timer at `not_before`.
   * `tick()` (tests on an injected clock) claims only due runs.
   */
  claimAheadMs?: number;
  /** At most this many runs per claim transaction (default 64), so that replicas share a burst. */
  claimBatch?: number;
  /** Engine metrics (runs by status, fire lag, busy slots); none when absent. */
  metrics?: Pick<Metrics, 'runs' | 'fireLag' | 'busySlots'> & Partial<Pick<Metrics, 'occurrences'>>;
  /** The price table, for dollar budgets (docs/gates.md "Budgets"); none: unpriced. */
  pricing?: Pricing;
  /** Prechecks before a run's first attempt (src/gates); built over the environment's address guard when absent. */
  prechecks?: Pick<PrecheckService, 'gate'>;
}

/**
 * The workers running in this process. An embedded database (PGlite) is this process's alone (its
 * data-dir lock), so a run it shows `running` under any other owner was left by a process that
 * died: a worker starting on it recovers those at once instead of waiting for their leases.
 */
const liveWorkers = new Set<string>();

interface ActiveRun {
  run: ClaimedRun;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The worker role: N slots per replica. Claims runnable runs (as many as free slots) on a precise
 * timer at the earliest known `not_before` (database time), on notifications and on a fallback
 * poll; leases and heart-beats them; enforces timeouts; retries with backoff; recovers runs of
 * dead workers; fails runs that cannot start in time (`capacity`); shuts down gracefully.
 *
 * @example
 * const pool = new WorkerPool({ db, clock, logger, workerId, config: config.worker, pollIntervalMs: 5000 });
 * await pool.start(); … await pool.close();
 */
export class WorkerPool {
  readonly name = 'worker';
  private readonly active = new Map<string, ActiveRun>();
  private readonly wakeup = new Wakeup();
  private readonly execute: RunExecutor;
  private readonly prechecks: Pick<PrecheckService, 'gate'>;
  private readonly maintenanceEveryMs: number;
  private closing = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unlisten: Array<() => Promise<void>> = [];
  private lastMaintenance = -Infinity;
  private mightHaveMore = true;
  private idleWaiters: Array<() => void> = [];
  private closed: Promise<void> | undefined;
  private readonly finishes = new FinishBatcher((batch) =>
    writeFinishes(
      {
        db: this.options.db,
        clock: this.options.clock,
        workerId: this.options.workerId,
        leaseMs: this.options.config.leaseMs,
        closing: () => this.closing,
        alert: (alerts) => this.alert(alerts),
      },
      batch,
    ),
  );
  /**
   * Since when this worker has reached the database without interruption (its start, or the
   * first pass after an outage). A start deadline that passed before it passed during an outage:
   * that run is late, not a capacity failure (see expireStartDeadlines).
   */
  private connectedSince: number;
  private unreachable = false;
  /**
   * When this worker was saturated — every slot busy, or its last claim took a whole batch (a
   * backlog of runnable runs it had not reached yet): a late run was held back by load, not by a
   * fault, only after a whole start window of it (late-runs.ts: delayed, or `capacity` at the cap).
   */
  private readonly full = new FullPeriods();
  private backlogged = false;
  /**
   * A pass of the loop is in progress: one that lasts a run's whole start window (the process
   * starved of CPU, its statements queued) held the run back by load, as a full worker does.
   */
  private inPass = false;

  constructor(private readonly options: WorkerPoolOptions) {
    const deps: AssistantExecutionDeps = options.execution ?? { db: options.db, logger: options.logger };
    // A workflow run is an ordinary run whose executor walks the workflow (src/workflows).
    const workflows = {
      db: options.db,
      clock: options.clock,
      assistants: deps,
      registry: deps.registry,
      workerId: options.workerId,
    };
    this.execute =
      options.execute ??
      ((run, signal, emit) =>
        run.workflowId
          ? executeWorkflow(workflows, run, signal, emit)
          : executeAssistant(deps, run, signal, emit, { id: options.workerId, clock: options.clock }));
    this.prechecks =
      options.prechecks ??
      new PrecheckService({
        db: options.db,
        ...(deps.config && { guard: addressGuardFromConfig(deps.config) }),
      });
    this.maintenanceEveryMs = Math.max(250, Math.min(options.config.leaseMs / 3, 5000));
    this.connectedSince = options.clock.now();
  }

  /** Runs executing in this replica now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** What this worker knows of its connection and slots, for runs past their start deadline. */
  private get history(): WorkerHistory {
    return { connectedSince: this.connectedSince, fullThroughout: (from, to) => this.full.fullThroughout(from, to) };
  }

  private get freeSlots(): number {
    return this.closing ? 0 : Math.max(0, this.options.config.slots - this.active.size);
  }

  async start(): Promise<void> {
    const { db, clock, config, logger, workerId } = this.options;
    liveWorkers.add(workerId);
    // Proof that the runs' holder is dead: the embedded data-dir lock, or this replica id's lock.
    if (db.kind === 'pglite' || this.options.provenWorkerId) {
      const orphaned = await recoverExpiredLeases(db, {
        now: clock.now(),
        startDeadlineMs: config.startDeadlineMs,
        ...(db.kind === 'pglite' ? { orphanedOf: [...liveWorkers] } : { ownedBy: workerId }),
      });
      const total = orphaned.resumed.length + orphaned.retried.length + orphaned.crashed.length;
      if (total > 0) {
        logger.warn(
          { resumed: orphaned.resumed.length, retried: orphaned.retried.length, crashed: orphaned.crashed.length },
          db.kind === 'pglite'
            ? 'recovered the runs of the process that held this data directory before (it stopped)'
            : `recovered the runs of the process that held replica id ${workerId} before (it stopped)`,
        );
      }
      this.alert(orphaned.alerts);
    }
    this.unlisten.push(
      await db.listen('runs', () => {
        this.mightHaveMore = true;
        this.wakeup.wake();
      }),
      await db.listen('run_cancel', (id) => this.active.get(id)?.controller.abort(cancelled())),
    );
    this.heartbeat = setInterval(() => void this.beat(), this.options.config.heartbeatMs);
    this.heartbeat.unref();
    this.loop = this.run();
  }

  /**
   * One pass, as the loop does it: recovers expired leases, fails runs past their start deadline,
   * then claims and starts as many runnable runs as there are free slots. Returns the runs started.
   * Tests drive an injected clock with it (then `idle()` to wait for the runs).
   */
  async tick(): Promise<ClaimedRun[]> {
    return this.observe(async () => {
      await this.maintain();
      const { started } = await this.claim(this.options.clock.now(), 0);
      return started;
    });
  }

  /**
   * Runs one pass and keeps track of outages: a pass that fails on a connection error starts
   * one; the next pass (it reaches the database, or fails again and starts over) ends it, marks
   * the time from which deadlines count as capacity again, and does its maintenance at once.
   */
  private async observe<T>(pass: () => Promise<T>): Promise<T> {
    if (this.unreachable) {
      this.unreachable = false;
      this.connectedSince = this.options.clock.now();
      this.lastMaintenance = -Infinity;
    }
    try {
      return await pass();
    } catch (error) {
      if (isConnectionError(error)) this.unreachable = true;
      throw error;
    }
  }

  /** Resolves when no run is executing in this replica. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async maintain(): Promise<void> {
    const { db, clock, config } = this.options;
    this.lastMaintenance = clock.now();
    const recovered = await recoverExpiredLeases(db, { now: clock.now(), startDeadlineMs: config.startDeadlineMs });
    if (recovered.resumed.length + recovered.retried.length + recovered.crashed.length > 0) {
      this.options.logger.warn(
        { resumed: recovered.resumed.length, retried: recovered.retried.length, crashed: recovered.crashed.length },
        'recovered runs of a stopped worker',
      );
    }
    const alerts = [...recovered.alerts];
    for (;;) {
      const batchSize = 500;
      const expired = await expireStartDeadlines(db, { now: clock.now(), history: this.history, batchSize });
      if (expired.expired.length > 0)
        this.options.logger.warn(
          { runs: expired.expired.length },
          'runs missed their start deadline with every slot busy for their whole window (capacity)',
        );
      if (expired.late.length + expired.missed.length > 0) {
        this.options.logger.warn(
          { late: expired.late.length, missed: expired.missed.length },
          'runs past their start deadline follow their misfire policy',
        );
      }
      alerts.push(...expired.alerts);
      await accountEndedRuns(this.options, [...expired.expired, ...expired.missed]);
      if (expired.expired.length + expired.late.length + expired.missed.length < batchSize) break;
    }
    this.alert(alerts);
  }

  private updateBusy(): void {
    const saturated = this.active.size >= this.options.config.slots || this.backlogged || this.inPass;
    this.full.update(this.options.clock.now(), saturated ? 1 : 0, 1);
  }

  private async claim(now: number, aheadMs: number): Promise<{ started: ClaimedRun[]; contended: number }> {
    const limit = Math.min(this.freeSlots, this.options.claimBatch ?? 64);
    if (limit === 0) return { started: [], contended: 0 };
    const { db, config, workerId } = this.options;
    const result = await claimRuns(db, {
      now,
      limit,
      workerId,
      leaseMs: config.leaseMs,
      aheadMs,
      history: this.history,
      startedAt: () => this.options.clock.now(),
      ...(this.options.pricing && { pricing: this.options.pricing }),
    });
    this.mightHaveMore = result.started.length + result.ended.length + result.keyHeld >= limit || result.contended > 0;
    this.backlogged = result.started.length + result.ended.length >= limit;
    this.updateBusy();
    this.alert(result.alerts);
    for (const run of result.started) this.begin(run);
    await accountEndedRuns(this.options, result.ended);
    return { started: result.started, contended: result.contended };
  }

  private async run(): Promise<void> {
    const { logger, pollIntervalMs } = this.options;
    while (!this.closing) {
      let delay: number;
      try {
        this.inPass = true;
        this.updateBusy();
        try {
          delay = await this.observe(() => this.pass());
        } finally {
          this.inPass = false;
          this.updateBusy();
        }
      } catch (error) {
        if (this.closing) break;
        // An outage is logged once by the database watcher, not once per pass.
        if (isConnectionError(error))
          logger.debug({ err: error }, 'worker pass failed: database unreachable; retrying');
        else logger.error({ err: error }, 'worker pass failed; retrying');
        delay = Math.min(1000, pollIntervalMs);
      }
      if (!this.closing && delay > 0) await this.wakeup.wait(delay);
    }
  }

  /** One pass of the loop; resolves to how long to sleep before the next (0: go on at once). */
  private async pass(): Promise<number> {
    const { db, clock, pollIntervalMs } = this.options;
    let delay = pollIntervalMs;
    if (clock.now() - this.lastMaintenance >= this.maintenanceEveryMs) await this.maintain();
    delay = Math.min(delay, this.lastMaintenance + this.maintenanceEveryMs - clock.now());
    if (this.freeSlots > 0) {
      // One `now` for the claim and the look-ahead query: a timer that fires a hair early
      // must find its run again in the query, not fall between the two.
      const now = clock.now();
      const aheadMs = this.options.claimAheadMs ?? 200;
      const { started, contended } = await this.claim(now, aheadMs);
      if (contended > 0) delay = Math.min(delay, 20);
      if (started.length > 0 && this.mightHaveMore && this.freeSlots > 0) return 0;
      // A run held by its assistant's rate_limit: wake when the window admits one more.
      const { at, quotaAt } = await nextPendingAt(db, new Date(now), rateWindowMs);
      if (quotaAt !== undefined) delay = Math.min(delay, quotaAt - clock.now());
      // Wake `aheadMs` before the next run to claim it; a run already inside that window was
      // left pending on purpose (its overlap is decided at its time): wake at its time.
      if (at !== undefined) delay = Math.min(delay, (at - aheadMs > now ? at - aheadMs : at) - clock.now());
    }
    return Math.max(delay, 1);
  }

  private begin(run: ClaimedRun): void {
    const controller = new AbortController();
    const entry: ActiveRun = { run, controller, done: Promise.resolve() };
    this.active.set(run.id, entry);
    this.updateBusy();
    this.options.metrics?.busySlots.set(this.active.size);
    entry.done = this.perform(run, controller)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, run_id: run.id }, 'recording a run outcome failed'),
      )
      .finally(() => {
        this.active.delete(run.id);
        this.updateBusy();
        this.options.metrics?.busySlots.set(this.active.size);
        if (this.active.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        if (this.mightHaveMore && !this.closing) this.wakeup.wake();
      });
  }

  private perform(run: ClaimedRun, controller: AbortController): Promise<void> {
    const { db, clock, config, workerId, metrics } = this.options;
    return performRun(
      {
        db,
        clock,
        workerId,
        startDeadlineMs: config.startDeadlineMs,
        execute: this.execute,
        metrics,
        finish: (finish) => this.finishes.add(finish),
        refused: (key, write) => this.refused(key, write),
        checkTokens: (scheduleId) => checkTokenAlert(this.options, scheduleId),
        checkSkips: (scheduleId) => checkSkipAlerts(this.options, [scheduleId]),
        gate: (claimed, signal, emit) => this.prechecks.gate(claimed, signal, emit),
      },
      run,
      controller,
    );
  }

  private async beat(): Promise<void> {
    const held = [...this.active.values()].map(({ run }) => ({ id: run.id, attempt: run.attempt }));
    if (held.length === 0) return;
    const { db, clock, config, workerId, logger } = this.options;
    try {
      const alive = await heartbeatRuns(db, workerId, held, clock.now() + config.leaseMs);
      for (const { id } of held) {
        const entry = this.active.get(id);
        if (!entry) continue;
        if (!alive.has(id)) {
          logger.warn(
            { run_id: id, attempt: entry.run.attempt, fenced: 'heartbeat' },
            'lost the lease of a run (another worker took it over); stopping it',
          );
          entry.controller.abort(new LeaseGone('lost'));
        } else if (alive.get(id)) entry.controller.abort(cancelled());
      }
    } catch (error) {
      // During an outage the watcher has said so once; the lease outlives a short one.
      if (isConnectionError(error)) logger.debug({ err: error }, 'heartbeat failed: database unreachable');
      else logger.warn({ err: error }, 'heartbeat failed');
    }
  }

  /** A fenced write that found the lease gone (this worker was paused or presumed dead): said once per run. */
  private refused(key: LeaseKey, write: 'finish' | 'retry'): void {
    this.options.logger.warn(
      { run_id: key.id, attempt: key.attempt, fenced: write },
      'the lease of this run was lost (another worker holds it now): its outcome was not recorded',
    );
  }

  private alert(alerts: readonly FailureAlert[]): void {
    sendFailureAlerts(this.options, alerts);
  }

  /**
   * Graceful shutdown: stops claiming, lets running runs finish within the grace period, hands
   * the rest back (`pending`, lease released) so another replica takes them at once, then stops.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      this.wakeup.wake();
      await this.loop;
      for (const unlisten of this.unlisten.splice(0)) await unlisten().catch(() => {});
      if (this.active.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.idle(),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.config.shutdownGraceMs))),
        ]);
        clearTimeout(timer);
      }
      const rest = [...this.active.values()];
      if (rest.length > 0) {
        const { db, clock, config, workerId, logger } = this.options;
        const released = await releaseRuns(
          db,
          workerId,
          rest.map(({ run }) => ({ id: run.id, attempt: run.attempt })),
          {
            now: clock.now(),
            startDeadlineMs: config.startDeadlineMs,
          },
        ).catch((error: unknown) => {
          logger.error(
            { err: error },
            'could not release runs on shutdown; they will be recovered when their leases expire',
          );
          return [];
        });
        // Embedded (PGlite) has no other replica: the runs wait for the next start.
        logger.info(
          { released: released.length },
          db.kind === 'pglite'
            ? 'released unfinished runs: they are pending again and start at the next start'
            : 'released unfinished runs: they are pending again for any replica to take',
        );
        for (const entry of rest) entry.controller.abort(new LeaseGone('released'));
        await Promise.all(rest.map((entry) => entry.done));
      }
      clearInterval(this.heartbeat);
      liveWorkers.delete(this.options.workerId);
    })();
    return this.closed;
  }
}
