import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import { notifyRuns, notifyRunsFinished } from '../store/notifications.ts';
import { recoverExpiredLeaseRows } from '../store/recover-expired-leases.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';

export interface RecoveryResult {
  /** Resumed at once without using up an attempt (a recovery: fewer than `max_recoveries` so far). */
  resumed: string[];
  /** Out of recoveries, retried after the backoff while attempts remain. */
  retried: string[];
  crashed: string[];
  alerts: FailureAlert[];
}

/**
 * Recovers runs whose worker stopped heart-beating (its lease expired), or, with `orphanedOf`,
 * every running run not held by one of those live workers (a replica that can prove the others
 * are dead: the embedded database's process), or, with `ownedBy`, every running run leased to that
 * worker id (a restarted replica holding its KAIROS_REPLICA_ID lock: the holder before it is dead). A crash is not a failure: the run resumes at once
 * with the same Idempotency-Key (a workflow at its first unfinished step), `attempt + 1` (the
 * fence) but no attempt used up, up to `max_recoveries` times; then it is retried (backoff) while
 * attempts remain, else `error` with reason `crashed`. One statement per batch; `SKIP LOCKED`
 * lets every replica sweep at once.
 */
export async function recoverExpiredLeases(
  db: Database,
  options: {
    now: number;
    startDeadlineMs: number;
    batchSize?: number;
    orphanedOf?: readonly string[];
    ownedBy?: string;
  },
): Promise<RecoveryResult> {
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    const rows = await recoverExpiredLeaseRows(tx, {
      now,
      startDeadlineMs: options.startDeadlineMs,
      batchSize: options.batchSize ?? 200,
      orphanedOf: options.orphanedOf ?? null,
      ownedBy: options.ownedBy ?? null,
    });
    if (rows.length === 0) return { resumed: [], retried: [], crashed: [], alerts: [] };
    const resumed = rows.filter((run) => run.resume);
    const crashed = rows.filter((run) => run.status === 'error');
    const retried = rows.filter((run) => !run.resume && run.status === 'pending');
    await appendRunEvents(
      tx,
      rows.map((run) =>
        run.resume
          ? {
              runId: run.id,
              kind: 'recovered',
              data: {
                attempt: run.attempt,
                recovery: run.recoveries,
                max_recoveries: run.max_recoveries,
                worker: run.previous_owner,
              },
            }
          : {
              runId: run.id,
              kind: 'attempt_failed',
              data: {
                attempt: run.status === 'pending' ? run.attempt - 1 : run.attempt,
                error_kind: 'crashed',
                worker: run.previous_owner,
                retry: run.status === 'pending',
              },
            },
      ),
    );
    const alerts = await recordOutcomes(
      tx,
      crashed.map((run) => ({
        runId: run.id,
        scheduleId: run.schedule_id,
        status: run.status,
        errorKind: 'crashed',
        error: run.error,
        finishedAt: now,
      })),
      db,
    );
    await notifyRunsFinished(
      tx,
      db,
      crashed.map((run) => run.id),
    );
    if (resumed.length + retried.length > 0) await notifyRuns(tx, db, options.now);
    return {
      resumed: resumed.map((run) => run.id),
      retried: retried.map((run) => run.id),
      crashed: crashed.map((run) => run.id),
      alerts,
    };
  });
}
