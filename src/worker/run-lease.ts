import type { Database, Queryable } from '../store/database.ts';
import { notifyRuns } from '../store/notifications.ts';
import { appendRunEvents } from '../store/run-events.ts';
import { finishLeasedRuns, releaseLeasedRuns, retryLeasedRun, schedulesOfRuns } from '../store/run-leases.ts';
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
  const rows = await finishLeasedRuns(
    db,
    workerId,
    finishes.map((f) => ({
      id: f.key.id,
      attempt: f.key.attempt,
      status: f.ending.status,
      errorKind: f.ending.errorKind,
      error: f.ending.error,
      output: json(f.ending.output),
      usage: json(f.ending.usage),
      threadId: f.ending.threadId,
      finishedAt: new Date(f.ending.finishedAt),
      event: JSON.stringify({
        attempt: f.key.attempt,
        status: f.ending.status,
        error_kind: f.ending.errorKind,
        error: f.ending.error,
      }),
    })),
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
  const failing = await schedulesOfRuns(
    db,
    failed.map((f) => f.key.id),
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
  return retryLeasedRun(db, key, {
    ...failure,
    event: JSON.stringify({
      attempt: key.attempt,
      error_kind: failure.errorKind,
      error: failure.error,
      retry_in_ms: failure.delayMs,
    }),
  });
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
    const rows = await releaseLeasedRuns(tx, workerId, held, {
      notBefore: new Date(options.now),
      startDeadline: new Date(options.now + options.startDeadlineMs),
    });
    await appendRunEvents(
      tx,
      rows.map((row) => ({ runId: row.id, kind: 'released', data: { worker: workerId, reason: 'shutdown' } })),
    );
    if (rows.length > 0) await notifyRuns(tx, db, options.now);
    return rows.map((row) => row.id);
  });
}
