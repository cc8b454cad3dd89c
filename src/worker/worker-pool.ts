import type { AssistantExecutionDeps, RunToExecute } from '../agents/execute-assistant.ts';
import { executeAssistant } from '../agents/execute-assistant.ts';
import type { RunContext, RunResult } from '../agents/runtime.ts';
import { RunFailure } from '../agents/runtime.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { deliverAlerts, deliverTokenAlert } from '../scheduler/alerts.ts';
import { inContext, startRunSpan } from '../observability/run-span.ts';
import { crossTokenAlert } from '../observability/token-alert.ts';
import { Wakeup } from '../scheduler/wakeup.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import { appendRunEvent } from '../store/run-events.ts';
import { claimRuns, type ClaimedRun } from './claim-runs.ts';
import { expireStartDeadlines } from './expire-start-deadlines.ts';
import type { FailureAlert } from './record-outcomes.ts';
import { recoverExpiredLeases } from './recover-expired-leases.ts';
import { nextQuotaSql } from './assistant-quota.ts';
import { retryDelayMs } from './retry-backoff.ts';
import { FinishBatcher } from './finish-batcher.ts';
import { executeWorkflow } from '../workflows/execute-workflow.ts';
import { isRunParked, waitingForOf } from '../runs/wait.ts';
import { parkRun } from '../store/park-run.ts';
import {
  finishRuns,
  heartbeatRuns,
  releaseRuns,
  retryRun,
  type LeaseKey,
  type RunEnding,
  type RunFinish,
} from './run-lease.ts';

/** Executes one run: the assistant runtime in production, anything in tests. */
export type RunExecutor = (run: RunToExecute, signal: AbortSignal, emit: RunContext['emit']) => Promise<RunResult>;

export interface WorkerPoolOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** This replica's id: the lease owner of every run it holds. */
  workerId: string;
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
  metrics?: Pick<Metrics, 'runs' | 'fireLag' | 'busySlots'>;
}

/** Why this worker stopped a run without recording an outcome (someone else owns it now). */
class LeaseGone extends Error {
  constructor(readonly reason: 'released' | 'lost') {
    super(`lease ${reason}`);
  }
}

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
  private readonly maintenanceEveryMs: number;
  private closing = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unlisten: Array<() => Promise<void>> = [];
  private lastMaintenance = -Infinity;
  private mightHaveMore = true;
  private idleWaiters: Array<() => void> = [];
  private closed: Promise<void> | undefined;
  private readonly finishes = new FinishBatcher((batch) => this.writeFinishes(batch));
  /**
   * Since when this worker has reached the database without interruption (its start, or the
   * first pass after an outage). A start deadline that passed before it passed during an outage:
   * that run is late, not a capacity failure (see expireStartDeadlines).
   */
  private connectedSince: number;
  private unreachable = false;
  /** The last time every slot was busy: a start deadline that passed after it did not wait for a slot. */
  private lastFullAt = -Infinity;

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
        run.workflowId ? executeWorkflow(workflows, run, signal, emit) : executeAssistant(deps, run, signal, emit));
    this.maintenanceEveryMs = Math.max(250, Math.min(options.config.leaseMs / 3, 5000));
    this.connectedSince = options.clock.now();
  }

  /** Runs executing in this replica now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Since when this worker has had a free slot without interruption (now, while it is full). */
  private get slotsFreeSince(): number {
    return this.active.size >= this.options.config.slots ? this.options.clock.now() : this.lastFullAt;
  }

  private get freeSlots(): number {
    return this.closing ? 0 : Math.max(0, this.options.config.slots - this.active.size);
  }

  async start(): Promise<void> {
    const { db } = this.options;
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
    if (recovered.retried.length + recovered.crashed.length > 0) {
      this.options.logger.warn(
        { retried: recovered.retried.length, crashed: recovered.crashed.length },
        'recovered runs of a stopped worker',
      );
    }
    const alerts = [...recovered.alerts];
    for (;;) {
      const batchSize = 500;
      const expired = await expireStartDeadlines(db, {
        now: clock.now(),
        outageBefore: this.connectedSince,
        slotsFreeSince: this.slotsFreeSince,
        batchSize,
      });
      if (expired.expired.length > 0)
        this.options.logger.warn({ runs: expired.expired.length }, 'runs missed their start deadline (capacity)');
      if (expired.late.length + expired.missed.length > 0) {
        this.options.logger.warn(
          { late: expired.late.length, missed: expired.missed.length },
          'runs delayed by an outage follow their misfire policy',
        );
      }
      alerts.push(...expired.alerts);
      if (expired.expired.length + expired.late.length + expired.missed.length < batchSize) break;
    }
    this.alert(alerts);
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
      outageBefore: this.connectedSince,
      slotsFreeSince: this.slotsFreeSince,
    });
    this.mightHaveMore = result.started.length + result.ended.length >= limit || result.contended > 0;
    this.alert(result.alerts);
    for (const run of result.started) this.begin(run);
    return { started: result.started, contended: result.contended };
  }

  private async run(): Promise<void> {
    const { logger, pollIntervalMs } = this.options;
    while (!this.closing) {
      let delay: number;
      try {
        delay = await this.observe(() => this.pass());
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
      const { rows } = await db.query<{ at: Date | null; quota_at: Date | null }>(
        `SELECT (SELECT min(not_before) FROM runs WHERE status = 'pending' AND not_before > $1) AS at, ${nextQuotaSql('$1')} AS quota_at`,
        [new Date(now)],
      );
      const at = rows[0]?.at?.getTime();
      // A run held by its assistant's rate_limit: wake when the window admits one more.
      const quotaAt = rows[0]?.quota_at?.getTime();
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
    this.options.metrics?.busySlots.set(this.active.size);
    entry.done = this.perform(run, controller)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, run_id: run.id }, 'recording a run outcome failed'),
      )
      .finally(() => {
        if (this.active.size >= this.options.config.slots) this.lastFullAt = this.options.clock.now();
        this.active.delete(run.id);
        this.options.metrics?.busySlots.set(this.active.size);
        if (this.active.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        if (this.mightHaveMore && !this.closing) this.wakeup.wake();
      });
  }

  private async perform(run: ClaimedRun, controller: AbortController): Promise<void> {
    const { db, clock, config, workerId, metrics } = this.options;
    const key: LeaseKey = { id: run.id, attempt: run.attempt, workerId };
    let timer: NodeJS.Timeout | undefined;
    let ending: RunEnding;
    const span = startRunSpan(run);
    let outcome: { status: string; errorKind: string | null; error: string | null } = {
      status: 'lost',
      errorKind: null,
      error: null,
    };
    let work: Promise<RunResult> | undefined;
    try {
      // Claimed ahead of its time: hold the slot until `not_before`, then POST at once.
      const wait = run.not_before.getTime() - clock.now();
      if (wait > 0)
        await Promise.race([new Promise((resolve) => setTimeout(resolve, wait)), abortion(controller.signal)]);
      if (run.timeout_ms !== null) {
        const ms = run.timeout_ms;
        timer = setTimeout(
          () => controller.abort(new RunFailure('timeout', `timed out after ${ms} ms`, { retryable: true })),
          ms,
        );
      }
      if (metrics && run.trigger === 'schedule' && run.scheduled_for && run.attempt === 1) {
        metrics.fireLag.observe(Math.max(0, clock.now() - run.scheduled_for.getTime()));
      }
      const emit = (kind: string, data?: unknown) => appendRunEvent(db, run.id, kind, data);
      work = inContext(span.context, () => this.execute(toExecute(run), controller.signal, emit));
      const result = await Promise.race([work, abortion(controller.signal)]);
      ending = {
        status: 'success',
        errorKind: null,
        error: null,
        output: result.output,
        usage: result.usage ?? null,
        threadId: result.threadId ?? null,
        finishedAt: clock.now(),
      };
      outcome = { status: 'success', errorKind: null, error: null };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof LeaseGone) return;
      if (isRunParked(reason)) {
        // The run waits (docs/waits.md): parked without a lease or a slot, not finished.
        outcome = { status: 'waiting', errorKind: null, error: null };
        const parked = await parkRun(db, key, reason.wait, waitingForOf(reason.wait), new Date(clock.now()));
        if (!parked) this.refused(key, 'finish');
        return;
      }
      // A workflow records which of its steps were cancelled as it stops: give it a moment to.
      if (work && run.workflow_id && controller.signal.aborted) await settledWithin(work, 2000);
      const failure =
        reason instanceof RunFailure ? reason : new RunFailure('assistant_error', messageOf(reason), { cause: reason });
      if (failure.retryable && !failure.skip && run.attempt < run.max_attempts) {
        const delayMs = retryDelayMs(run, run.attempt);
        const notBefore = clock.now() + delayMs;
        outcome = { status: 'retry', errorKind: failure.kind, error: failure.message };
        const retried = await retryRun(db, key, {
          errorKind: failure.kind,
          error: failure.message,
          notBefore,
          startDeadline: notBefore + config.startDeadlineMs,
          delayMs,
        });
        if (!retried) this.refused(key, 'retry');
        return;
      }
      ending = {
        status: failure.skip
          ? 'skipped'
          : failure.kind === 'timeout'
            ? 'timeout'
            : failure.kind === 'cancelled'
              ? 'cancelled'
              : 'error',
        errorKind: failure.kind,
        error: failure.message,
        output: null,
        usage: null,
        threadId: null,
        finishedAt: clock.now(),
      };
      outcome = { status: ending.status, errorKind: ending.errorKind, error: ending.error };
    } finally {
      clearTimeout(timer);
      span.end(outcome.status, outcome.errorKind, outcome.error);
    }
    const written = await this.finishes.add({ key, ending });
    if (!written) this.refused(key, 'finish');
    if (written) metrics?.runs.inc({ status: ending.status });
    if (written && ending.usage && run.schedule_id) await this.checkTokens(run.schedule_id);
  }

  /**
   * One statement for a batch of finishes; retried when two batches deadlock on schedule rows,
   * and while the database is unreachable for up to a lease (a short outage must not turn a
   * finished run into a crashed one; after a lease the run is recovered anyway, and fenced).
   */
  private async writeFinishes(batch: RunFinish[]): Promise<Set<string>> {
    const giveUpAt = Date.now() + this.options.config.leaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const { written, alerts } = await finishRuns(this.options.db, this.options.workerId, batch);
        this.alert(alerts);
        return written;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (isConnectionError(error) && Date.now() < giveUpAt && !this.closing) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 1000)));
          continue;
        }
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      }
    }
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

  /** After a run that recorded usage: alert once a day when the schedule's tokens pass its limit. */
  private async checkTokens(scheduleId: string): Promise<void> {
    const { db, clock, logger, alertWebhook } = this.options;
    try {
      const alert = await crossTokenAlert(db, scheduleId, new Date(clock.now()));
      if (alert) void deliverTokenAlert(alert, alertWebhook, logger);
    } catch (error) {
      logger.warn({ err: error, schedule_id: scheduleId }, 'checking the token alert failed');
    }
  }

  private alert(alerts: readonly FailureAlert[]): void {
    if (alerts.length === 0) return;
    void deliverAlerts(alerts, this.options.alertWebhook, this.options.logger);
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
        logger.info({ released: released.length }, 'released unfinished runs to other replicas');
        for (const entry of rest) entry.controller.abort(new LeaseGone('released'));
        await Promise.all(rest.map((entry) => entry.done));
      }
      clearInterval(this.heartbeat);
    })();
    return this.closed;
  }
}

function cancelled(): RunFailure {
  return new RunFailure('cancelled', 'cancelled on request', { retryable: false });
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Waits until `promise` settles or `ms` pass, whichever comes first; never rejects. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toExecute(run: ClaimedRun): RunToExecute {
  return {
    id: run.id,
    assistantId: run.assistant_id,
    workflowId: run.workflow_id,
    scheduleId: run.schedule_id,
    scheduledFor: run.scheduled_for,
    trigger: run.trigger,
    runNumber: run.run_number,
    attempt: run.attempt,
    ownerId: run.owner_id,
    threadId: run.thread_id,
    sessionMode: run.session_mode,
    onRunCompleted: run.on_run_completed,
    input: run.input,
    preloaded: { assistant: run.assistant, owner: run.owner },
    ...(run.schedule_timezone && { schedule: { name: run.schedule_name ?? '', timezone: run.schedule_timezone } }),
    ...(run.config !== undefined && { config: run.config }),
    ...(run.context !== undefined && { context: run.context }),
  };
}
