import type { Database, Queryable } from '../store/database.ts';
import { appendScheduleEvents } from '../store/schedule-events.ts';
import { updateScheduleOutcomes } from '../store/schedule-outcomes.ts';
import { mergePauseAlerts, pauseFailingSchedules } from './pause-failing-schedules.ts';
import type { RunStatus } from '../runs/run-status.ts';

/** A run that reached a final status, as its schedule's counters see it. */
export interface RunOutcome {
  runId: string;
  scheduleId: string | null;
  status: RunStatus;
  errorKind: string | null;
  error: string | null;
  finishedAt: Date;
}

/** A failure streak that just reached its schedule's `alert_after`. */
export interface FailureAlert {
  schedule: { id: string; name: string; owner_id: string; webhook: string | null };
  streak: number;
  alertAfter: number;
  lastError: { run_id: string; status: string; error_kind: string | null; error: string | null };
  at: Date;
  /** Set when the streak also reached `pause_after_failures` and the schedule was paused. */
  paused?: { after_failures: number };
}

const failures: ReadonlySet<RunStatus> = new Set(['error', 'timeout']);
// A run whose worker died (recovered as `crashed`) or that an outage stopped failed through no
// fault of its schedule: it neither extends nor ends the streak.
const outageKinds: ReadonlySet<string> = new Set(['crashed', 'outage', 'missed']);

/**
 * Updates the schedules of finished runs in one statement: last run, and the failure streak
 * (`error` and `timeout` extend it, `success` ends it, `skipped`/`cancelled` and outcomes of an
 * outage or a recovery (`crashed`) leave it). A streak
 * that reaches `alert_after` in this update is recorded once as an `alert` schedule event and
 * returned, for the caller to deliver after commit.
 */
export async function recordOutcomes(
  tx: Queryable,
  outcomes: readonly RunOutcome[],
  channels?: Pick<Database, 'channelName'>,
): Promise<FailureAlert[]> {
  const bySchedule = new Map<
    string,
    { reset: boolean; add: number; last: RunOutcome; lastFailure: RunOutcome | undefined }
  >();
  for (const outcome of outcomes) {
    if (!outcome.scheduleId) continue;
    const entry = bySchedule.get(outcome.scheduleId) ?? { reset: false, add: 0, last: outcome, lastFailure: undefined };
    entry.last = outcome;
    if (outcome.status === 'success') {
      entry.reset = true;
      entry.add = 0;
    } else if (failures.has(outcome.status) && !outageKinds.has(outcome.errorKind ?? '')) {
      entry.add++;
      entry.lastFailure = outcome;
    }
    bySchedule.set(outcome.scheduleId, entry);
  }
  if (bySchedule.size === 0) return [];
  const entries = [...bySchedule.entries()];
  const rows = await updateScheduleOutcomes(
    tx,
    entries.map(([id, e]) => ({
      scheduleId: id,
      reset: e.reset,
      add: e.add,
      finishedAt: e.last.finishedAt,
      status: e.last.status,
    })),
  );
  const alerts: FailureAlert[] = [];
  for (const row of rows) {
    if (!row.crossed) continue;
    const failure = entries[row.idx - 1]![1].lastFailure!;
    alerts.push({
      schedule: { id: row.id, name: row.name, owner_id: row.owner_id, webhook: row.webhook },
      streak: row.consecutive_failures,
      alertAfter: row.alert_after,
      lastError: { run_id: failure.runId, status: failure.status, error_kind: failure.errorKind, error: failure.error },
      at: failure.finishedAt,
    });
  }
  await appendScheduleEvents(
    tx,
    alerts.map((alert) => ({
      scheduleId: alert.schedule.id,
      kind: 'alert',
      at: alert.at,
      data: { streak: alert.streak, alert_after: alert.alertAfter, last_error: alert.lastError },
    })),
  );
  const failing = entries.filter(([, e]) => e.add > 0);
  if (failing.length === 0) return alerts;
  const lastErrors = new Map(
    failing.map(([id, e]) => [
      id,
      {
        run_id: e.lastFailure!.runId,
        status: e.lastFailure!.status,
        error_kind: e.lastFailure!.errorKind,
        error: e.lastFailure!.error,
      },
    ]),
  );
  const now = failing.reduce(
    (latest, [, e]) => (e.last.finishedAt > latest ? e.last.finishedAt : latest),
    failing[0]![1].last.finishedAt,
  );
  const pauses = await pauseFailingSchedules(
    tx,
    failing.map(([id]) => id),
    now,
    { lastErrors, channels },
  );
  return mergePauseAlerts(alerts, pauses);
}
