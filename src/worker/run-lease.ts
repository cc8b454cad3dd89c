import type { Database, Queryable } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow, RunStatus } from '../store/runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';

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
 * Records a run's final status, fenced by (id, lease owner, attempt), updates its schedule's
 * counters and notifies waiters. A worker that lost its lease writes nothing.
 */
export async function finishRun(db: Database, key: LeaseKey, ending: RunEnding): Promise<FinishResult> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Pick<RunRow, 'id' | 'schedule_id'> & { has_waiting: boolean }>(
      `UPDATE runs SET status = $4, error_kind = $5, error = $6, output = $7::jsonb, usage = $8::jsonb,
         thread_id = coalesce($9, thread_id), finished_at = $10,
         duration_ms = greatest(0, round(extract(epoch FROM ($10::timestamptz - started_at)) * 1000))::int,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       RETURNING id, schedule_id, EXISTS (
         SELECT 1 FROM runs w WHERE w.schedule_id = runs.schedule_id AND w.status = 'pending' AND w.not_before <= $10
       ) AS has_waiting`,
      [
        key.id, key.workerId, key.attempt, ending.status, ending.errorKind, ending.error,
        ending.output === undefined ? null : JSON.stringify(ending.output),
        ending.usage === undefined || ending.usage === null ? null : JSON.stringify(ending.usage),
        ending.threadId, new Date(ending.finishedAt),
      ],
    );
    const row = rows[0];
    if (!row) return { written: false, alerts: [] };
    await appendRunEvents(tx, [
      { runId: key.id, kind: 'attempt_finished', data: { attempt: key.attempt, status: ending.status, error_kind: ending.errorKind, error: ending.error } },
    ]);
    const alerts = await recordOutcomes(tx, [
      { runId: key.id, scheduleId: row.schedule_id, status: ending.status, errorKind: ending.errorKind, error: ending.error, finishedAt: new Date(ending.finishedAt) },
    ]);
    await notifyFinished(tx, db, [key.id]);
    if (row.has_waiting) await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), '0']);
    return { written: true, alerts };
  });
}

/**
 * Hands a failed attempt back for a retry: the same run row goes back to `pending` with
 * `attempt + 1` and `not_before` after the backoff (so the assistant sees the same run id, the
 * same Idempotency-Key). The failed attempt is kept as a run event. Fenced like `finishRun`.
 */
export async function retryRun(
  db: Database,
  key: LeaseKey,
  failure: { errorKind: string; error: string; notBefore: number; startDeadline: number; delayMs: number },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      `UPDATE runs SET status = 'pending', attempt = attempt + 1, not_before = $4, start_deadline = $5,
         error_kind = $6, error = $7, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'`,
      [key.id, key.workerId, key.attempt, new Date(failure.notBefore), new Date(failure.startDeadline), failure.errorKind, failure.error],
    );
    if (rowCount === 0) return false;
    await appendRunEvents(tx, [
      { runId: key.id, kind: 'attempt_failed', data: { attempt: key.attempt, error_kind: failure.errorKind, error: failure.error, retry_in_ms: failure.delayMs } },
    ]);
    await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(failure.notBefore)]);
    return true;
  });
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
