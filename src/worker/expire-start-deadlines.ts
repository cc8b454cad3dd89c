import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import { notifyRuns, notifyRunsFinished } from '../store/notifications.ts';
import { endOverdueRuns, lockOverdueRuns, markRunsLate, type OverdueRun } from '../store/start-deadlines.ts';
import { decideLate, type WorkerHistory } from './late-runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';

export interface ExpiryResult {
  /** Ended as `error`/`capacity`: this worker had no free slot for their whole start window. */
  expired: string[];
  /** Still to start, late, under their misfire policy (their deadline moved to where it gives up). */
  late: string[];
  /** Recorded as `skipped`/`missed`: their misfire policy gave up on them. */
  missed: string[];
  alerts: FailureAlert[];
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
    const due = await lockOverdueRuns(tx, {
      now,
      batchSize: options.batchSize ?? 500,
      outageBefore: Number.isFinite(outageBefore) ? new Date(outageBefore) : null,
    });
    const result: ExpiryResult = { expired: [], late: [], missed: [], alerts: [] };
    if (due.length === 0) return result;

    const late: Array<{ run: OverdueRun; until: number }> = [];
    const ending: Array<{ run: OverdueRun; reason: 'capacity' | 'missed'; error: string }> = [];
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
      await markRunsLate(
        tx,
        late.map(({ run, until }) => ({ id: run.id, until: new Date(until) })),
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
      await notifyRuns(tx, db, options.now);
    }

    const ended = await endOverdueRuns(
      tx,
      ending.map(({ run, reason, error }) => ({
        id: run.id,
        status: reason === 'capacity' ? ('error' as const) : ('skipped' as const),
        errorKind: reason,
        error,
      })),
      now,
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
    await notifyRunsFinished(
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

function occurrenceOf(run: OverdueRun): number {
  return (run.scheduled_for ?? run.not_before).getTime();
}
