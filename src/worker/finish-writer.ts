import type { Clock } from '../clock.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import type { FailureAlert } from './record-outcomes.ts';
import { finishRuns, type RunFinish } from './run-lease.ts';

export interface FinishWriterDeps {
  db: Database;
  clock: Clock;
  workerId: string;
  leaseMs: number;
  /** True once the worker is shutting down: an outage is not waited out then. */
  closing(): boolean;
  alert(alerts: readonly FailureAlert[]): void;
}

/**
 * One statement for a batch of finishes; retried when two batches deadlock on schedule rows,
 * and while the database is unreachable for up to a lease (a short outage must not turn a
 * finished run into a crashed one; after a lease the run is recovered anyway, and fenced).
 * Resolves to the ids written (a run missing from it had lost its lease).
 */
export async function writeFinishes(deps: FinishWriterDeps, batch: RunFinish[]): Promise<Set<string>> {
  const { db, clock, workerId } = deps;
  const giveUpAt = clock.now() + deps.leaseMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const { written, alerts } = await finishRuns(db, workerId, batch);
      deps.alert(alerts);
      return written;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (isConnectionError(error) && clock.now() < giveUpAt && !deps.closing()) {
        await clock.sleep(Math.min(250 * attempt, 1000));
        continue;
      }
      if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}
