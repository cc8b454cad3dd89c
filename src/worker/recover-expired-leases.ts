import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { notifyFinished } from './run-lease.ts';

export interface RecoveryResult {
  retried: string[];
  crashed: string[];
  alerts: FailureAlert[];
}

/**
 * Recovers runs whose worker stopped heart-beating (its lease expired): retried (attempt + 1,
 * after the backoff) while attempts remain, else `error` with reason `crashed`. One statement per
 * batch; `SKIP LOCKED` lets every replica sweep at once.
 */
export async function recoverExpiredLeases(
  db: Database,
  options: { now: number; startDeadlineMs: number; batchSize?: number },
): Promise<RecoveryResult> {
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<RunRow & { previous_owner: string }>(
      `WITH expired AS (
         SELECT id, lease_owner FROM runs WHERE status = 'running' AND lease_expires_at < $1
         ORDER BY lease_expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE runs r SET
         status = CASE WHEN r.attempt < r.max_attempts THEN 'pending' ELSE 'error' END,
         error_kind = 'crashed',
         error = 'the worker running it stopped (its lease expired)',
         attempt = CASE WHEN r.attempt < r.max_attempts THEN r.attempt + 1 ELSE r.attempt END,
         not_before = CASE WHEN r.attempt < r.max_attempts
           THEN $1 + make_interval(secs => least(r.retry_backoff_ms * r.retry_backoff_factor ^ (r.attempt - 1), r.retry_backoff_max_ms) / 1000.0)
           ELSE r.not_before END,
         start_deadline = CASE WHEN r.attempt < r.max_attempts THEN $1 + make_interval(secs => $2::float8 / 1000) ELSE r.start_deadline END,
         finished_at = CASE WHEN r.attempt < r.max_attempts THEN NULL ELSE $1 END,
         duration_ms = CASE WHEN r.attempt < r.max_attempts THEN NULL
           ELSE greatest(0, round(extract(epoch FROM ($1 - r.started_at)) * 1000))::int END,
         lease_owner = NULL, lease_expires_at = NULL,
         late_by_ms = CASE WHEN r.attempt < r.max_attempts THEN NULL ELSE r.late_by_ms END
       FROM expired WHERE r.id = expired.id
       RETURNING r.*, expired.lease_owner AS previous_owner`,
      [now, options.startDeadlineMs, options.batchSize ?? 200],
    );
    if (rows.length === 0) return { retried: [], crashed: [], alerts: [] };
    const crashed = rows.filter((run) => run.status === 'error');
    const retried = rows.filter((run) => run.status === 'pending');
    await appendRunEvents(
      tx,
      rows.map((run) => ({
        runId: run.id,
        kind: 'attempt_failed',
        data: {
          attempt: run.status === 'pending' ? run.attempt - 1 : run.attempt,
          error_kind: 'crashed',
          worker: run.previous_owner,
          retry: run.status === 'pending',
        },
      })),
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
    if (retried.length > 0) await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    return { retried: retried.map((run) => run.id), crashed: crashed.map((run) => run.id), alerts };
  });
}
