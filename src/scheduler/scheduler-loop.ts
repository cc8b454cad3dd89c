import { isConnectionError } from '../store/connection-error.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/database.ts';
import { earliestNextRunAt } from '../store/schedules.ts';
import { claimDueSchedules } from './claim-due-schedules.ts';
import { pruneRuns } from '../store/prune-runs.ts';
import { Wakeup } from '../wakeup.ts';

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  config: Pick<Config['scheduler'], 'lookaheadMs' | 'batchSize' | 'pollIntervalMs' | 'maxCatchupPerPass'>;
  startDeadlineMs: number;
  /** Occurrences later than this are missed (misfire policy) rather than late. Default 60 s. */
  misfireGraceMs?: number;
  /** Finished runs older than this many days are pruned (0 keeps them). */
  runRetentionDays?: number;
  /** Engine metrics (fires, claim batch sizes); none when absent. */
  metrics?: Pick<Metrics, 'fires' | 'claimBatchSize'> & Partial<Pick<Metrics, 'occurrences'>>;
}

export interface TickResult {
  claimed: number;
  created: number;
}

const pruneEveryMs = 3_600_000;

/**
 * The scheduler role: turns due schedules into runs. Any number of replicas run it at once; row
 * locks keep their batches apart. Sleeps until the earliest next fire (minus the lookahead), a
 * notification on `schedules`, or the fallback poll.
 *
 * @example
 * const scheduler = new Scheduler({ db, clock, logger, config: config.scheduler, startDeadlineMs: 300_000 });
 * await scheduler.tick(); // one pass, as tests do with an injected clock
 */
export class Scheduler {
  readonly name = 'scheduler';
  private readonly wakeup = new Wakeup();
  private closed = false;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private lastPrune = 0;

  constructor(private readonly options: SchedulerOptions) {}

  /** Claims and materialises batches until nothing is due (up to the lookahead). */
  async tick(): Promise<TickResult> {
    const { config } = this.options;
    const total = { claimed: 0, created: 0 };
    for (;;) {
      const result = await claimDueSchedules(this.options.db, {
        now: this.options.clock.now(),
        lookaheadMs: config.lookaheadMs,
        batchSize: config.batchSize,
        maxPerPass: config.maxCatchupPerPass,
        misfireGraceMs: this.options.misfireGraceMs ?? 60_000,
        startDeadlineMs: this.options.startDeadlineMs,
      });
      if (result.claimed > 0) {
        this.options.metrics?.claimBatchSize.observe(result.claimed);
        this.options.metrics?.fires.inc(result.created);
      }
      // Occurrences the scheduler itself ended (missed after downtime, excluded dates): docs/gates.md.
      for (const s of result.skipped) this.options.metrics?.occurrences?.inc(s.reason, s.scheduleId, s.count);
      total.claimed += result.claimed;
      total.created += result.created;
      if (result.claimed < config.batchSize || this.closed) return total;
    }
  }

  async start(): Promise<void> {
    this.unlisten = await this.options.db.listen('schedules', () => this.wakeup.wake());
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { clock, config, logger, db } = this.options;
    while (!this.closed) {
      let delay = config.pollIntervalMs;
      try {
        // One indexed query decides whether anything is due: an idle replica (nothing due for
        // hours, however many schedules) costs one statement per wake-up, not a transaction.
        let earliest = await earliestNextRunAt(db);
        if (earliest && earliest.getTime() <= clock.now() + config.lookaheadMs) {
          await this.tick();
          earliest = await earliestNextRunAt(db);
          // Still due: another replica holds those schedules right now; look again shortly.
          if (earliest && earliest.getTime() <= clock.now() + config.lookaheadMs) delay = Math.min(delay, 5);
        }
        if (earliest) delay = Math.min(delay, Math.max(5, earliest.getTime() - config.lookaheadMs - clock.now()));
        await this.maybePrune();
      } catch (error) {
        if (this.closed) break;
        // An outage is logged once by the database watcher, not once per pass.
        if (isConnectionError(error))
          logger.debug({ err: error }, 'scheduler pass failed: database unreachable; retrying');
        else logger.error({ err: error }, 'scheduler pass failed; retrying');
        delay = Math.min(1000, config.pollIntervalMs);
      }
      if (!this.closed) await this.wakeup.wait(delay);
    }
  }

  private async maybePrune(): Promise<void> {
    const now = this.options.clock.now();
    if (!this.options.runRetentionDays || now - this.lastPrune < pruneEveryMs) return;
    this.lastPrune = now;
    const pruned = await pruneRuns(this.options.db, { now, retentionDays: this.options.runRetentionDays });
    if (pruned > 0) this.options.logger.info({ pruned }, 'pruned old runs');
  }

  /** Stops claiming; a pass in progress finishes its transaction. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeup.wake();
    await this.loop;
    await this.unlisten?.();
  }
}
