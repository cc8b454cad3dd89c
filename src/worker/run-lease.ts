import type { Database, Queryable } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunStatus } from '../store/runs.ts';
import type { FailureAlert } from './record-outcomes.ts';

/** Identifies one attempt of a run held by one worker: every write after the claim is fenced by it. */
export interface LeaseKey {
  id: string;
  attempt: number;
  workerId: string;
}

export interface RunEnding {
  status: Exclude<RunStatus, 'pending' | 'running'>;
  errorKind: string | null;
  error: string | null;
  output: unknown;
  usage: unknown;
  threadId: string | null;
  finishedAt: number;
}

export interface FinishResult {
  /** False when the lease was lost (another worker holds the run now): nothing was written. */
  written: boolean;
  alerts: FailureAlert[];
}

/**
 * Records a run's final status, fenced by (id, lease owner, attempt), in one statement: the run,
 * its `attempt_finished` event, its schedule's counters (last run, failure streak; an `alert`
 * schedule event when the streak reaches `alert_after`) and the notifications for waiters. A
 * worker that lost its lease writes nothing.
 */
export async function finishRun(db: Queryable & Pick<Database, 'channelName'>, key: LeaseKey, ending: RunEnding): Promise<FinishResult> {
  const finishedAt = new Date(ending.finishedAt);
  const { rows } = await db.query<{
    schedule_id: string | null; name: string | null; owner_id: string | null; webhook: string | null;
    consecutive_failures: number | null; alert_after: number | null; crossed: boolean | null;
  }>(
    `WITH f AS (
       UPDATE runs SET status = $4::text, error_kind = $5::text, error = $6::text, output = $7::jsonb, usage = $8::jsonb,
         thread_id = coalesce($9::uuid, thread_id), finished_at = $10,
         duration_ms = greatest(0, round(extract(epoch FROM ($10::timestamptz - started_at)) * 1000))::int,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       RETURNING id, schedule_id
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT f.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = f.id), 0) + 1, 'attempt_finished', $11::jsonb
       FROM f
     ), s AS (
       UPDATE schedules s SET
         consecutive_failures = CASE WHEN $4::text = 'success' THEN 0
           WHEN $4::text IN ('error', 'timeout') THEN s.consecutive_failures + 1 ELSE s.consecutive_failures END,
         alerted_streak = CASE
           WHEN $4::text IN ('error', 'timeout') AND s.consecutive_failures + 1 >= s.alert_after THEN true
           WHEN $4::text = 'success' THEN false ELSE s.alerted_streak END,
         last_run_at = $10, last_run_status = $4::text
       FROM f WHERE s.id = f.schedule_id
       RETURNING s.id, s.name, s.owner_id, s.webhook, s.consecutive_failures, s.alert_after,
         ($4::text IN ('error', 'timeout') AND s.consecutive_failures >= s.alert_after
          AND s.consecutive_failures - 1 < s.alert_after) AS crossed
     ), a AS (
       INSERT INTO schedule_events (schedule_id, kind, data, at)
       SELECT s.id, 'alert', jsonb_build_object('streak', s.consecutive_failures, 'alert_after', s.alert_after,
         'last_error', jsonb_build_object('run_id', $1::uuid, 'status', $4::text, 'error_kind', $5::text, 'error', $6::text)), $10
       FROM s WHERE s.crossed
     )
     SELECT s.id AS schedule_id, s.name, s.owner_id, s.webhook, s.consecutive_failures, s.alert_after, s.crossed,
       pg_notify($12, f.id::text) IS NULL AS notified,
       CASE WHEN EXISTS (SELECT 1 FROM runs w WHERE w.schedule_id = f.schedule_id AND w.status = 'pending' AND w.not_before <= $10)
         THEN pg_notify($13, '0') IS NULL END AS woke
     FROM f LEFT JOIN s ON true`,
    [
      key.id, key.workerId, key.attempt, ending.status, ending.errorKind, ending.error,
      ending.output === undefined ? null : JSON.stringify(ending.output),
      ending.usage === undefined || ending.usage === null ? null : JSON.stringify(ending.usage),
      ending.threadId, finishedAt,
      JSON.stringify({ attempt: key.attempt, status: ending.status, error_kind: ending.errorKind, error: ending.error }),
      db.channelName('run_finished'), db.channelName('runs'),
    ],
  );
  const row = rows[0];
  if (!row) return { written: false, alerts: [] };
  const alerts: FailureAlert[] = [];
  if (row.crossed && row.schedule_id) {
    alerts.push({
      schedule: { id: row.schedule_id, name: row.name!, owner_id: row.owner_id!, webhook: row.webhook },
      streak: row.consecutive_failures!,
      alertAfter: row.alert_after!,
      lastError: { run_id: key.id, status: ending.status, error_kind: ending.errorKind, error: ending.error },
      at: finishedAt,
    });
  }
  return { written: true, alerts };
}

/**
 * Hands a failed attempt back for a retry: the same run row goes back to `pending` with
 * `attempt + 1` and `not_before` after the backoff (so the assistant sees the same run id, the
 * same Idempotency-Key). The failed attempt is kept as a run event. Fenced like `finishRun`; one
 * statement.
 */
export async function retryRun(
  db: Queryable & Pick<Database, 'channelName'>,
  key: LeaseKey,
  failure: { errorKind: string; error: string; notBefore: number; startDeadline: number; delayMs: number },
): Promise<boolean> {
  const { rows } = await db.query(
    `WITH f AS (
       UPDATE runs SET status = 'pending', attempt = attempt + 1, not_before = $4, start_deadline = $5,
         error_kind = $6, error = $7, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       RETURNING id
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT f.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = f.id), 0) + 1, 'attempt_failed', $8::jsonb
       FROM f
     )
     SELECT pg_notify($9, $10) IS NULL AS woke FROM f`,
    [
      key.id, key.workerId, key.attempt, new Date(failure.notBefore), new Date(failure.startDeadline), failure.errorKind, failure.error,
      JSON.stringify({ attempt: key.attempt, error_kind: failure.errorKind, error: failure.error, retry_in_ms: failure.delayMs }),
      db.channelName('runs'), String(failure.notBefore),
    ],
  );
  return rows.length > 0;
}

/**
 * Extends the leases of the runs this worker holds (one statement). Returns, per run still held,
 * whether cancellation was requested; a run missing from the answer has been lost.
 */
export async function heartbeatRuns(
  db: Queryable,
  workerId: string,
  held: ReadonlyArray<{ id: string; attempt: number }>,
  leaseExpiresAt: number,
): Promise<Map<string, boolean>> {
  if (held.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; cancel_requested: boolean }>(
    `UPDATE runs r SET lease_expires_at = $4
     FROM unnest($1::uuid[], $2::int4[]) AS h(id, attempt)
     WHERE r.id = h.id AND r.attempt = h.attempt AND r.lease_owner = $3 AND r.status = 'running'
     RETURNING r.id, r.cancel_requested`,
    [held.map((run) => run.id), held.map((run) => run.attempt), workerId, new Date(leaseExpiresAt)],
  );
  return new Map(rows.map((row) => [row.id, row.cancel_requested]));
}

/**
 * Gives runs back (graceful shutdown): `pending` again, same attempt, runnable at once, so another
 * replica takes them without waiting for the lease to expire. Returns the ids released.
 */
export async function releaseRuns(
  db: Database,
  workerId: string,
  held: ReadonlyArray<{ id: string; attempt: number }>,
  options: { now: number; startDeadlineMs: number },
): Promise<string[]> {
  if (held.length === 0) return [];
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE runs r SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL,
         not_before = $4, start_deadline = $5
       FROM unnest($1::uuid[], $2::int4[]) AS h(id, attempt)
       WHERE r.id = h.id AND r.attempt = h.attempt AND r.lease_owner = $3 AND r.status = 'running'
       RETURNING r.id`,
      [held.map((run) => run.id), held.map((run) => run.attempt), workerId, new Date(options.now), new Date(options.now + options.startDeadlineMs)],
    );
    await appendRunEvents(tx, rows.map((row) => ({ runId: row.id, kind: 'released', data: { worker: workerId, reason: 'shutdown' } })));
    if (rows.length > 0) await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    return rows.map((row) => row.id);
  });
}

export async function notifyFinished(tx: Queryable, db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [db.channelName('run_finished'), ids]);
}
