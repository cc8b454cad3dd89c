import { isConnectionError } from '../store/connection-error.ts';
import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/database.ts';
import { databaseTimeMs } from '../store/database-time.ts';
import { deleteReplica, deleteStaleReplicas, upsertReplica } from '../store/replicas.ts';

/**
 * Measures the host clock's offset to the database clock (`clock_timestamp()`): the best of a few
 * round trips (smallest round trip, midpoint estimate). Positive when the database is ahead.
 */
export async function measureClockOffset(
  db: Database,
  samples = 5,
): Promise<{ offsetMs: number; roundTripMs: number }> {
  let best = { offsetMs: 0, roundTripMs: Infinity };
  for (let i = 0; i < samples; i++) {
    const sent = performance.timeOrigin + performance.now();
    const ms = await databaseTimeMs(db);
    const received = performance.timeOrigin + performance.now();
    const roundTripMs = received - sent;
    if (roundTripMs < best.roundTripMs) best = { offsetMs: ms - (sent + received) / 2, roundTripMs };
  }
  return best;
}

/**
 * The engine's clock in production: the host clock corrected to database time, so that replicas
 * with skewed host clocks still agree on when an occurrence is due. Re-measured every minute and
 * recorded in `replicas` with the replica's heartbeat.
 */
export class DatabaseClock implements Clock {
  readonly name = 'database-clock';
  offsetMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly replica: { id: string; roles: readonly string[] },
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }

  /** Measures the offset and registers the replica; then repeats every interval. */
  async start(): Promise<void> {
    await this.calibrate();
    this.timer = setInterval(() => {
      this.calibrate().catch((error: unknown) => {
        if (!isConnectionError(error)) this.logger.warn({ err: error }, 'clock calibration failed');
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async calibrate(): Promise<void> {
    const { offsetMs, roundTripMs } = await measureClockOffset(this.db);
    this.offsetMs = offsetMs;
    if (Math.abs(offsetMs) > 1000)
      this.logger.warn(
        { offset_ms: offsetMs },
        'host clock differs from the database clock by over 1 s; Kairos uses database time',
      );
    await upsertReplica(this.db, { ...this.replica, hostname: hostname(), pid: process.pid, clockOffsetMs: offsetMs });
    await deleteStaleReplicas(this.db, 10 * this.intervalMs);
    this.logger.debug({ offset_ms: offsetMs, round_trip_ms: roundTripMs }, 'database clock measured');
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await deleteReplica(this.db, this.replica.id).catch(() => {});
  }
}
