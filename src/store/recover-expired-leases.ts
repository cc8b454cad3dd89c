import type { Queryable } from './database.ts';
import type { RunRow } from './runs.ts';

/** A run taken back from a stopped worker, with what the recovery decided for it. */
export type RecoveredRun = RunRow & { previous_owner: string; resume: boolean; can_retry: boolean };

/**
 * Takes back, in one statement, up to `batchSize` running runs whose lease expired before `now`
 * (or, with `orphanedOf`, held by none of those workers): resumed at once while recoveries remain
 * (`attempt + 1`, no attempt used up), else retried after the backoff while attempts remain, else
 * `error`/`crashed`. `SKIP LOCKED`, so every replica may sweep at once.
 */
export async function recoverExpiredLeaseRows(
  tx: Queryable,
  options: {
    now: Date;
    startDeadlineMs: number;
    batchSize: number;
    orphanedOf: readonly string[] | null;
    /** A worker id this process proved is its own (KAIROS_REPLICA_ID's lock): its runs are recovered at once. */
    ownedBy: string | null;
  },
): Promise<RecoveredRun[]> {
  const { rows } = await tx.query<RecoveredRun>(
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
    [options.now, options.startDeadlineMs, options.batchSize, options.orphanedOf, options.ownedBy],
  );
  return rows;
}
