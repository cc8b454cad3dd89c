import type { Database, Queryable } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import { mergePauseAlerts, pauseFailingSchedules } from './pause-failing-schedules.ts';
import type { FailureAlert } from './record-outcomes.ts';
import type { RunStatus } from '../runs/run-status.ts';

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

/** One attempt's final outcome, for {@link finishRuns}. */
export interface RunFinish {
  key: LeaseKey;
  ending: RunEnding;
}

export interface FinishRunsResult {
  /** The runs written; a run missing here had lost its lease: nothing was written for it. */
  written: Set<string>;
  alerts: FailureAlert[];
}

/**
 * Records the final status of many runs held by one worker in one statement (one commit): each
 * run fenced by (id, lease owner, attempt), its `attempt_finished` event, its schedule's counters
 * (last run, failure streak, in finishing order; an `alert` schedule event when a streak reaches
 * `alert_after`) and the notifications for waiters. A run whose lease was lost is left alone.
 */
export async function finishRuns(
  db: Queryable & Pick<Database, 'channelName'>,
  workerId: string,
  finishes: readonly RunFinish[],
): Promise<FinishRunsResult> {
  if (finishes.length === 0) return { written: new Set(), alerts: [] };
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  const { rows } = await db.query<{ kind: 'run' | 'alert' | 'wake'; id: string | null; alert: AlertRow | null }>(
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
       RETURNING r.id, r.schedule_id, r.trigger_id, r.assistant_id, u.status, u.error_kind, u.error, u.finished_at, u.event, u.ord
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
     SELECT 'run' AS kind, f.id::text AS id, NULL::jsonb AS alert, pg_notify($12, f.id::text) IS NULL AS notified FROM f
     UNION ALL
     SELECT 'alert', NULL, to_jsonb(s.*), NULL FROM s WHERE s.crossed
     UNION ALL
     SELECT 'wake', NULL, NULL, pg_notify($13, '0') IS NULL
     FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM runs w
       WHERE (w.schedule_id IN (SELECT schedule_id FROM f) OR w.trigger_id IN (SELECT trigger_id FROM f WHERE schedule_id IS NULL)
         -- A run of an assistant at its max_concurrent may wait for the slot this one freed.
         OR w.assistant_id IN (SELECT f.assistant_id FROM f JOIN assistants fa ON fa.id = f.assistant_id WHERE fa.max_concurrent IS NOT NULL))
       AND w.status = 'pending' AND w.not_before <= (SELECT max(finished_at) FROM f))) x`,
    [
      finishes.map((f) => f.key.id),
      finishes.map((f) => f.key.attempt),
      finishes.map((f) => f.ending.status),
      finishes.map((f) => f.ending.errorKind),
      finishes.map((f) => f.ending.error),
      finishes.map((f) => json(f.ending.output)),
      finishes.map((f) => json(f.ending.usage)),
      finishes.map((f) => f.ending.threadId),
      finishes.map((f) => new Date(f.ending.finishedAt)),
      finishes.map((f) =>
        JSON.stringify({
          attempt: f.key.attempt,
          status: f.ending.status,
          error_kind: f.ending.errorKind,
          error: f.ending.error,
        }),
      ),
      workerId,
      db.channelName('run_finished'),
      db.channelName('runs'),
    ],
  );
  const written = new Set<string>();
  const alerts: FailureAlert[] = [];
  for (const row of rows) {
    if (row.kind === 'run' && row.id) written.add(row.id);
    if (row.kind === 'alert' && row.alert) {
      const a = row.alert;
      alerts.push({
        schedule: { id: a.id, name: a.name, owner_id: a.owner_id, webhook: a.webhook },
        streak: a.consecutive_failures,
        alertAfter: a.alert_after,
        lastError: a.last_error,
        at: new Date(a.failed_at),
      });
    }
  }
  // Pause after failures: its own statement, only when this batch recorded a failure.
  const failed = finishes.filter(
    (f) => written.has(f.key.id) && (f.ending.status === 'error' || f.ending.status === 'timeout'),
  );
  if (failed.length === 0) return { written, alerts };
  const { rows: failing } = await db.query<{ id: string; schedule_id: string }>(
    'SELECT id, schedule_id FROM runs WHERE id = ANY($1::uuid[]) AND schedule_id IS NOT NULL',
    [failed.map((f) => f.key.id)],
  );
  const scheduleOf = new Map(failing.map((row) => [row.id, row.schedule_id]));
  const lastErrors = new Map<string, FailureAlert['lastError']>();
  for (const f of failed) {
    const scheduleId = scheduleOf.get(f.key.id);
    if (scheduleId)
      lastErrors.set(scheduleId, {
        run_id: f.key.id,
        status: f.ending.status,
        error_kind: f.ending.errorKind,
        error: f.ending.error,
      });
  }
  const latest = new Date(Math.max(...failed.map((f) => f.ending.finishedAt)));
  const pauses = await pauseFailingSchedules(db, [...lastErrors.keys()], latest, { channels: db, lastErrors });
  return { written, alerts: mergePauseAlerts(alerts, pauses) };
}

interface AlertRow {
  id: string;
  name: string;
  owner_id: string;
  webhook: string | null;
  consecutive_failures: number;
  alert_after: number;
  last_error: FailureAlert['lastError'];
  failed_at: string;
}

/** Records one run's final status: {@link finishRuns} for one. */
export async function finishRun(
  db: Queryable & Pick<Database, 'channelName'>,
  key: LeaseKey,
  ending: RunEnding,
): Promise<FinishResult> {
  const { written, alerts } = await finishRuns(db, key.workerId, [{ key, ending }]);
  return { written: written.has(key.id), alerts };
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
      JSON.stringify({
        attempt: key.attempt,
        error_kind: failure.errorKind,
        error: failure.error,
        retry_in_ms: failure.delayMs,
      }),
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

/**
 * Gives runs back (graceful shutdown): `pending` again, same attempt, runnable at once (or at their
 * time, for runs claimed ahead of it), so another replica takes them without waiting for the lease
 * to expire. Returns the ids released.
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
      `UPDATE runs r SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL, late_by_ms = NULL,
         not_before = greatest(r.not_before, $4), start_deadline = greatest(r.start_deadline, $5)
       FROM unnest($1::uuid[], $2::int4[]) AS h(id, attempt)
       WHERE r.id = h.id AND r.attempt = h.attempt AND r.lease_owner = $3 AND r.status = 'running'
       RETURNING r.id`,
      [
        held.map((run) => run.id),
        held.map((run) => run.attempt),
        workerId,
        new Date(options.now),
        new Date(options.now + options.startDeadlineMs),
      ],
    );
    await appendRunEvents(
      tx,
      rows.map((row) => ({ runId: row.id, kind: 'released', data: { worker: workerId, reason: 'shutdown' } })),
    );
    if (rows.length > 0) await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    return rows.map((row) => row.id);
  });
}

export async function notifyFinished(tx: Queryable, db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [db.channelName('run_finished'), ids]);
}
