import type { Database, Queryable } from './database.ts';
import type { RunStatus } from './run-kinds.ts';

/** One attempt's final outcome, as written (JSON values already serialised). */
export interface LeasedRunFinish {
  id: string;
  attempt: number;
  status: RunStatus;
  errorKind: string | null;
  error: string | null;
  output: string | null;
  usage: string | null;
  threadId: string | null;
  finishedAt: Date;
  /** The `attempt_finished` event's data, as JSON. */
  event: string;
}

/** A schedule's failure streak that reached `alert_after` in a finish (`to_jsonb(schedules)` plus the last error). */
export interface FinishAlertRow {
  id: string;
  name: string;
  owner_id: string;
  webhook: string | null;
  consecutive_failures: number;
  alert_after: number;
  last_error: { run_id: string; status: string; error_kind: string | null; error: string | null };
  failed_at: string;
}

/** What a finish wrote: a run (`id`), an alert, the wake-up of waiting runs, or a `run_finished` notification. */
export interface FinishRow {
  kind: 'run' | 'alert' | 'wake' | 'notify';
  id: string | null;
  alert: FinishAlertRow | null;
}

/**
 * Records the final status of many runs held by `workerId` in one statement: each fenced by
 * (id, lease owner, attempt), its `attempt_finished` event, its schedule's counters and `alert`
 * event, the `run_finished` notifications (ids comma-separated, see runFinishedIds) and a wake-up of the workers when a run waits for the
 * slot one freed. A run whose lease was lost is not written (no `run` row for it).
 */
export async function finishLeasedRuns(
  db: Queryable & Pick<Database, 'channelName'>,
  workerId: string,
  finishes: readonly LeasedRunFinish[],
): Promise<FinishRow[]> {
  const { rows } = await db.query<FinishRow>(
    `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
         $9::timestamptz[], $10::text[]) WITH ORDINALITY
         AS u(id, attempt, status, error_kind, error, output, usage, thread_id, finished_at, event, ord)
     ), f AS (
       UPDATE runs r SET status = u.status, error_kind = u.error_kind, error = u.error, output = u.output::jsonb,
         usage = u.usage::jsonb, thread_id = coalesce(u.thread_id, r.thread_id), finished_at = u.finished_at,
         duration_ms = greatest(0, round(extract(epoch FROM (u.finished_at - r.started_at)) * 1000))::int,
         lease_owner = NULL, lease_expires_at = NULL
       FROM u
       WHERE r.id = u.id AND r.lease_owner = $11 AND r.attempt = u.attempt AND r.status = 'running'
       RETURNING r.id, r.schedule_id, r.trigger_id, r.assistant_id, u.status, u.error_kind, u.error, u.finished_at, u.event, u.ord,
         r.concurrency_scope, r.concurrency_key
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT f.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = f.id), 0) + 1, 'attempt_finished', f.event::jsonb
       FROM f
     ), g AS (
       SELECT schedule_id,
         bool_or(status = 'success') AS reset,
         (count(*) FILTER (WHERE status IN ('error', 'timeout') AND ord > last_success))::int AS add,
         (array_agg(finished_at ORDER BY ord DESC))[1] AS finished_at,
         (array_agg(status ORDER BY ord DESC))[1] AS status,
         (array_agg(jsonb_build_object('run_id', id, 'status', status, 'error_kind', error_kind, 'error', error) ORDER BY ord DESC)
           FILTER (WHERE status IN ('error', 'timeout')))[1] AS last_error,
         (array_agg(finished_at ORDER BY ord DESC) FILTER (WHERE status IN ('error', 'timeout')))[1] AS failed_at
       FROM (SELECT f.*, coalesce(max(ord) FILTER (WHERE status = 'success') OVER (PARTITION BY schedule_id), 0) AS last_success
             FROM f WHERE schedule_id IS NOT NULL) o
       GROUP BY schedule_id
     ), s AS (
       UPDATE schedules s SET
         consecutive_failures = CASE WHEN g.reset THEN g.add ELSE s.consecutive_failures + g.add END,
         alerted_streak = CASE
           WHEN (CASE WHEN g.reset THEN g.add ELSE s.consecutive_failures + g.add END) >= s.alert_after THEN true
           WHEN g.reset THEN false ELSE s.alerted_streak END,
         last_run_at = g.finished_at, last_run_status = g.status
       FROM g WHERE s.id = g.schedule_id
       RETURNING s.id, s.name, s.owner_id, s.webhook, s.consecutive_failures, s.alert_after, g.last_error, g.failed_at,
         (g.add > 0 AND s.consecutive_failures >= s.alert_after
          AND (g.reset OR s.consecutive_failures - g.add < s.alert_after)) AS crossed
     ), a AS (
       INSERT INTO schedule_events (schedule_id, kind, data, at)
       SELECT s.id, 'alert', jsonb_build_object('streak', s.consecutive_failures, 'alert_after', s.alert_after, 'last_error', s.last_error), s.failed_at
       FROM s WHERE s.crossed
     )
     SELECT 'run' AS kind, f.id::text AS id, NULL::jsonb AS alert, NULL::boolean AS notified FROM f
     UNION ALL
     -- One run_finished notification per 200 runs (ids comma-separated, under the 8,000-byte payload
     -- limit): every listener of every replica parses each one, so one per run cost a message per
     -- run per replica.
     SELECT 'notify', NULL, NULL, pg_notify($12, string_agg(c.id::text, ',')) IS NULL
     FROM (SELECT f.id, (row_number() OVER () - 1) / 200 AS chunk FROM f) c GROUP BY c.chunk
     UNION ALL
     SELECT 'alert', NULL, to_jsonb(s.*), NULL FROM s WHERE s.crossed
     UNION ALL
     SELECT 'wake', NULL, NULL, pg_notify($13, '0') IS NULL
     FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM runs w
       WHERE (w.schedule_id IN (SELECT schedule_id FROM f) OR w.trigger_id IN (SELECT trigger_id FROM f WHERE schedule_id IS NULL)
         -- A run of an assistant at its max_concurrent may wait for the slot this one freed.
         OR w.assistant_id IN (SELECT f.assistant_id FROM f JOIN assistants fa ON fa.id = f.assistant_id WHERE fa.max_concurrent IS NOT NULL)
         -- A run queued behind (or cancelling for) the concurrency key of a finished run.
         OR (w.concurrency_key IS NOT NULL AND (w.concurrency_scope, w.concurrency_key) IN
           (SELECT f.concurrency_scope, f.concurrency_key FROM f WHERE f.concurrency_key IS NOT NULL)))
       AND w.status = 'pending' AND w.not_before <= (SELECT max(finished_at) FROM f))) x`,
    [
      finishes.map((f) => f.id),
      finishes.map((f) => f.attempt),
      finishes.map((f) => f.status),
      finishes.map((f) => f.errorKind),
      finishes.map((f) => f.error),
      finishes.map((f) => f.output),
      finishes.map((f) => f.usage),
      finishes.map((f) => f.threadId),
      finishes.map((f) => f.finishedAt),
      finishes.map((f) => f.event),
      workerId,
      db.channelName('run_finished'),
      db.channelName('runs'),
    ],
  );
  return rows;
}

/** The schedule of each of these runs (runs of no schedule are left out). */
export async function schedulesOfRuns(
  db: Queryable,
  runIds: readonly string[],
): Promise<Array<{ id: string; schedule_id: string }>> {
  const { rows } = await db.query<{ id: string; schedule_id: string }>(
    'SELECT id, schedule_id FROM runs WHERE id = ANY($1::uuid[]) AND schedule_id IS NOT NULL',
    [runIds],
  );
  return rows;
}

/**
 * Hands a failed attempt back (`pending`, `attempt + 1`, `not_before` after the backoff) with
 * its `attempt_failed` event and a wake-up of the workers, fenced by (id, lease owner, attempt).
 * False when the lease was lost.
 */
export async function retryLeasedRun(
  db: Queryable & Pick<Database, 'channelName'>,
  key: { id: string; attempt: number; workerId: string },
  failure: { errorKind: string; error: string; notBefore: number; startDeadline: number; event: string },
): Promise<boolean> {
  const { rows } = await db.query(
    `WITH f AS (
       UPDATE runs SET status = 'pending', attempt = attempt + 1, not_before = $4, start_deadline = $5,
         error_kind = $6, error = $7, lease_owner = NULL, lease_expires_at = NULL, late_by_ms = NULL
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       RETURNING id
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT f.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = f.id), 0) + 1, 'attempt_failed', $8::jsonb
       FROM f
     )
     SELECT pg_notify($9, $10) IS NULL AS woke FROM f`,
    [
      key.id,
      key.workerId,
      key.attempt,
      new Date(failure.notBefore),
      new Date(failure.startDeadline),
      failure.errorKind,
      failure.error,
      failure.event,
      db.channelName('runs'),
      String(failure.notBefore),
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

/** Sets runs held by `workerId` back to `pending` (same attempt); returns the ids released. */
export async function releaseLeasedRuns(
  tx: Queryable,
  workerId: string,
  held: ReadonlyArray<{ id: string; attempt: number }>,
  at: { notBefore: Date; startDeadline: Date },
): Promise<Array<{ id: string }>> {
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE runs r SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, late_by_ms = NULL,
         not_before = greatest(r.not_before, $4), start_deadline = greatest(r.start_deadline, $5)
       FROM unnest($1::uuid[], $2::int4[]) AS h(id, attempt)
       WHERE r.id = h.id AND r.attempt = h.attempt AND r.lease_owner = $3 AND r.status = 'running'
       RETURNING r.id`,
    [held.map((run) => run.id), held.map((run) => run.attempt), workerId, at.notBefore, at.startDeadline],
  );
  return rows;
}
