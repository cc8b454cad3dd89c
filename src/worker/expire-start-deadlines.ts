import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import type { MisfirePolicy } from '../store/schedules.ts';
import { decideLate, type WorkerHistory } from './late-runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { notifyFinished } from './run-lease.ts';

export interface ExpiryResult {
  /** Ended as `error`/`capacity`: this worker had no free slot for their whole start window. */
  expired: string[];
  /** Still to start, late, under their misfire policy (their deadline moved to where it gives up). */
  late: string[];
  /** Recorded as `skipped`/`missed`: their misfire policy gave up on them. */
  missed: string[];
  alerts: FailureAlert[];
}

interface DueRow {
  id: string;
  schedule_id: string | null;
  scheduled_for: Date | null;
  not_before: Date;
  start_deadline: Date;
  misfire: MisfirePolicy | null;
  catchup_window_ms: number | null;
  /** A newer run of its schedule is due too (under `run_once` it stands for this one). */
  newer_due: boolean;
}

/**
 * Applies the misfire policy to pending runs past their start deadline (decideLate,
 * docs/scheduling.md "Late runs"): a run the policy still runs gets its deadline moved to where
 * the policy gives up (`run_all`: its catch-up window) and a `late` event, and starts as soon as
 * a worker can (its `late_by_ms` says how late); a run it gives up on ends `skipped`/`missed`,
 * or `error`/`capacity` when this worker was connected and full for its whole start window.
 * Runs of an assistant with provider limits wait for its quota however long it takes (only an
 * outage applies the policy to them). Missed runs never extend a failure streak.
 */
export async function expireStartDeadlines(
  db: Database,
  options: { now: number; history?: WorkerHistory; batchSize?: number },
): Promise<ExpiryResult> {
  const now = new Date(options.now);
  const history: WorkerHistory = options.history ?? { connectedSince: -Infinity, fullThroughout: () => false };
  const outageBefore = history.connectedSince;
  return db.transaction(async (tx) => {
    const { rows: due } = await tx.query<DueRow>(
      `SELECT r.id, r.schedule_id, r.scheduled_for, r.not_before, r.start_deadline, s.misfire, s.catchup_window_ms,
         s.misfire = 'run_once' AND EXISTS (SELECT 1 FROM runs n
           WHERE n.schedule_id = r.schedule_id AND n.status IN ('pending', 'running') AND n.not_before <= $1
             AND coalesce(n.scheduled_for, n.not_before) > coalesce(r.scheduled_for, r.not_before)) AS newer_due
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id
       WHERE r.status = 'pending' AND r.start_deadline < $1
         -- A run of an assistant with provider limits waits for its quota, not for a slot: it
         -- never ends as capacity (an outage still applies its misfire policy).
         AND (r.start_deadline < $3::timestamptz OR NOT EXISTS (
           SELECT 1 FROM assistants a WHERE a.id = r.assistant_id AND (a.max_concurrent IS NOT NULL OR a.rate_limit IS NOT NULL)))
       ORDER BY r.start_deadline LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
      [now, options.batchSize ?? 500, Number.isFinite(outageBefore) ? new Date(outageBefore) : null],
    );
    const result: ExpiryResult = { expired: [], late: [], missed: [], alerts: [] };
    if (due.length === 0) return result;

    const late: Array<{ run: DueRow; until: number }> = [];
    const ending: Array<{ run: DueRow; reason: 'capacity' | 'missed'; error: string }> = [];
    for (const run of due) {
      const decision = decideLate(
        {
          id: run.id,
          scheduleId: run.schedule_id,
          misfire: run.misfire,
          catchupWindowMs: run.catchup_window_ms,
          occurrence: occurrenceOf(run),
          notBefore: run.not_before.getTime(),
          startDeadline: run.start_deadline.getTime(),
        },
        history,
        options.now,
        // Under run_once, a newer due run of the schedule (late or not) stands for this one.
        run.newer_due === true,
      );
      if (decision.kind === 'start_late') late.push({ run, until: decision.until });
      else ending.push({ run, reason: decision.reason, error: decision.error });
    }

    if (late.length > 0) {
      await tx.query(
        `UPDATE runs r SET start_deadline = u.until, late_by_ms = 0
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, until) WHERE r.id = u.id`,
        [late.map(({ run }) => run.id), late.map(({ until }) => new Date(until))],
      );
      await appendRunEvents(
        tx,
        late.map(({ run, until }) => ({
          runId: run.id,
          kind: 'late',
          data: {
            reason: run.start_deadline.getTime() < outageBefore ? 'outage' : 'fault',
            misfire: run.misfire ?? 'run_all',
            late_ms: options.now - run.not_before.getTime(),
            until: new Date(until).toISOString(),
          },
        })),
      );
      await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    }

    type Ended = Pick<RunRow, 'id' | 'schedule_id' | 'status' | 'error_kind' | 'error'>;
    const { rows: ended } =
      ending.length === 0
        ? { rows: [] as Ended[] }
        : await tx.query<Ended>(
            `UPDATE runs r SET status = u.status, error = u.error, finished_at = $4, error_kind = u.error_kind
       FROM unnest($1::uuid[], $2::text[], $3::text[], $5::text[]) AS u(id, status, error, error_kind)
       WHERE r.id = u.id
       RETURNING r.id, r.schedule_id, r.status, r.error_kind, r.error`,
            [
              ending.map(({ run }) => run.id),
              ending.map(({ reason }) => (reason === 'capacity' ? 'error' : 'skipped')),
              ending.map(({ error }) => error),
              now,
              ending.map(({ reason }) => reason),
            ],
          );
    await appendRunEvents(
      tx,
      ended.map((run) => ({
        runId: run.id,
        kind: run.error_kind === 'capacity' ? 'capacity' : 'missed',
        data: { reason: run.error },
      })),
    );
    result.alerts = await recordOutcomes(
      tx,
      ended.map((run) => ({
        runId: run.id,
        scheduleId: run.schedule_id,
        status: run.status,
        errorKind: run.error_kind,
        error: run.error,
        finishedAt: now,
      })),
      db,
    );
    await notifyFinished(
      tx,
      db,
      ended.map((run) => run.id),
    );
    result.expired = ended.filter((run) => run.error_kind === 'capacity').map((run) => run.id);
    result.missed = ended.filter((run) => run.error_kind === 'missed').map((run) => run.id);
    result.late = late.map(({ run }) => run.id);
    return result;
  });
}

function occurrenceOf(run: DueRow): number {
  return (run.scheduled_for ?? run.not_before).getTime();
}
