import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import { claimDueWaits, earliestWaitDue } from '../store/claim-due-waits.ts';
import { pruneEvents } from '../store/events.ts';
import { dueOutcome } from './due-outcome.ts';
import { maxLookbackMs } from './event-wait.ts';

export interface WaitTimersOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Fallback poll for lost notifications (ms). */
  pollIntervalMs: number;
  /** Waits claimed per transaction (default 500). */
  batchSize?: number;
}

const pruneEveryMs = 3_600_000;

/**
 * Ends waits whose time has come (timers, and approval and event timeouts) on every replica of
 * the worker role: sleeps until the earliest due `until` (database time), a notification on
 * `waits` (a run parked) or the fallback poll, then claims what is due ({@link claimDueWaits}:
 * exactly once across replicas) and sends those runs back to `pending`. After downtime every
 * wait past due is claimed at the first pass. Also forgets events past the longest lookback.
 *
 * @example
 * const timers = new WaitTimers({ db, clock, logger, pollIntervalMs: 5000 });
 * await timers.start(); … await timers.close();
 */
export class WaitTimers {
  readonly name = 'wait-timers';
  private closed = false;
  private loop: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private lastPrune = 0;

  constructor(private readonly options: WaitTimersOptions) {}

  /** One pass: claims every due wait (batch after batch). Returns the runs woken. */
  async tick(): Promise<string[]> {
    const woken: string[] = [];
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const result = await claimDueWaits(this.options.db, {
        now: this.options.clock.now(),
        batchSize,
        outcome: dueOutcome,
      });
      woken.push(...result.woken);
      if (result.claimed < batchSize || this.closed) return woken;
    }
  }

  async start(): Promise<void> {
    this.unlisten = await this.options.db.listen('waits', () => this.poke());
    this.loop = this.run();
  }

  private poke(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { clock, logger, db, pollIntervalMs } = this.options;
    while (!this.closed) {
      let delay = pollIntervalMs;
      try {
        let earliest = await earliestWaitDue(db);
        if (earliest && earliest.getTime() <= clock.now()) {
          const woken = await this.tick();
          if (woken.length > 0) logger.debug({ runs: woken.length }, 'waits ended: runs resumed');
          earliest = await earliestWaitDue(db);
          // Still due: another replica holds those waits right now; look again shortly.
          if (earliest && earliest.getTime() <= clock.now()) delay = Math.min(delay, 5);
        }
        if (earliest) delay = Math.min(delay, Math.max(1, earliest.getTime() - clock.now()));
        await this.maybePrune();
      } catch (error) {
        if (this.closed) break;
        if (isConnectionError(error))
          logger.debug({ err: error }, 'wait timers failed: database unreachable; retrying');
        else logger.error({ err: error }, 'wait timers failed; retrying');
        delay = Math.min(1000, pollIntervalMs);
      }
      if (!this.closed) await this.sleep(delay);
    }
  }

  private async maybePrune(): Promise<void> {
    const now = this.options.clock.now();
    if (now - this.lastPrune < pruneEveryMs) return;
    this.lastPrune = now;
    await pruneEvents(this.options.db, new Date(now - maxLookbackMs));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.poke();
    await this.loop;
    await this.unlisten?.();
  }
}
