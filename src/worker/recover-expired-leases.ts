import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { notifyFinished } from './run-lease.ts';

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
    const { rows } = await tx.query<RunRow & { previous_owner: string; resume: boolean; can_retry: boolean }>(
      `WITH expired AS (
         SELECT id, lease_owner, recoveries < max_recoveries AS resume, attempt - recoveries < max_attempts AS can_retry
         FROM runs
         WHERE status = 'running'
           AND (lease_expires_at < $1 OR ($4::text[] IS NOT NULL AND NOT (lease_owner = ANY($4::text[])))
             OR lease_owner = $5::text)
         ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE runs r SET
         status = CASE WHEN e.resume OR e.can_retry THEN 'pending' ELSE 'error' END,
         error_kind = 'crashed',
         error = CASE WHEN e.resume THEN 'the worker running it stopped (its lease expired); resumed'
           ELSE 'the worker running it stopped (its lease expired)' END,
         attempt = CASE WHEN e.resume OR e.can_retry THEN r.attempt + 1 ELSE r.attempt END,
         recoveries = CASE WHEN e.resume THEN r.recoveries + 1 ELSE r.recoveries END,
         not_before = CASE WHEN e.resume THEN greatest(r.not_before, $1)
           WHEN e.can_retry THEN $1 + make_interval(secs => least(r.retry_backoff_ms * r.retry_backoff_factor ^ (r.attempt - r.recoveries - 1), r.retry_backoff_max_ms) / 1000.0)
           ELSE r.not_before END,
         start_deadline = CASE WHEN e.resume OR e.can_retry THEN $1 + make_interval(secs => $2::float8 / 1000) ELSE r.start_deadline END,
         finished_at = CASE WHEN e.resume OR e.can_retry THEN NULL ELSE $1 END,
         duration_ms = CASE WHEN e.resume OR e.can_retry THEN NULL
           ELSE greatest(0, round(extract(epoch FROM ($1 - r.started_at)) * 1000))::int END,
         lease_owner = NULL, lease_expires_at = NULL,
         late_by_ms = CASE WHEN e.resume OR e.can_retry THEN NULL ELSE r.late_by_ms END
       FROM expired e WHERE r.id = e.id
       RETURNING r.*, e.lease_owner AS previous_owner, e.resume, e.can_retry`,
      [now, options.startDeadlineMs, options.batchSize ?? 200, options.orphanedOf ?? null, options.ownedBy ?? null],
    );
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
    await notifyFinished(
      tx,
      db,
      crashed.map((run) => run.id),
    );
    if (resumed.length + retried.length > 0)
      await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    return {
      resumed: resumed.map((run) => run.id),
      retried: retried.map((run) => run.id),
      crashed: crashed.map((run) => run.id),
      alerts,
    };
  });
}
