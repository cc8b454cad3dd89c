import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/database.ts';
import { backlogThresholdMs, readRunBacklog, type RunBacklog } from '../store/run-backlog.ts';

/**
 * Makes saturation visible: every `everyMs` (5 s) it reads the backlog of due pending runs into
 * the gauges `kairos_runs_backlog` and `kairos_runs_backlog_oldest_age_ms`, and while the oldest
 * has waited more than a second it logs one line a minute with both. Read errors (an outage) are
 * left to the database watcher.
 *
 * @example
 * const monitor = new BacklogMonitor({ db, clock, logger, metrics }); await monitor.start(); … await monitor.close();
 */
export class BacklogMonitor {
  readonly name = 'backlog';
  private timer: NodeJS.Timeout | undefined;
  private lastLogAt = -Infinity;
  private checking: Promise<RunBacklog | undefined> | undefined;

  constructor(
    private readonly options: {
      db: Database;
      clock: Clock;
      logger: Logger;
      metrics?: Pick<Metrics, 'backlog' | 'backlogOldestAgeMs'>;
      everyMs?: number;
      logEveryMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.options.everyMs ?? 5000);
    this.timer.unref();
  }

  /** Reads the backlog now, updates the gauges and logs if a minute has passed since the last line. */
  async check(): Promise<RunBacklog | undefined> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async read(): Promise<RunBacklog | undefined> {
    const { db, clock, logger, metrics } = this.options;
    const now = clock.now();
    let backlog: RunBacklog;
    try {
      backlog = await readRunBacklog(db, now);
    } catch {
      return undefined;
    }
    metrics?.backlog.set(backlog.due);
    metrics?.backlogOldestAgeMs.set(backlog.oldestAgeMs ?? 0);
    const behind = backlog.oldestAgeMs !== null && backlog.oldestAgeMs >= backlogThresholdMs;
    if (behind && now - this.lastLogAt >= (this.options.logEveryMs ?? 60_000)) {
      this.lastLogAt = now;
      logger.warn(
        { backlog: backlog.due, oldest_pending_age_ms: backlog.oldestAgeMs },
        'workers are behind: runs are due and waiting for a slot',
      );
    }
    return backlog;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }
}
