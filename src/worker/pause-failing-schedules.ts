import type { Database, Queryable } from '../store/database.ts';
import { cancelRunsAhead } from '../store/cancel-runs-ahead.ts';
import { notifyRunsFinished } from '../store/notifications.ts';
import { pauseSchedulesAtStreak } from '../store/pause-failing-schedules.ts';
import { appendScheduleEvents } from '../store/schedule-events.ts';
import type { FailureAlert } from './record-outcomes.ts';

/**
 * Pauses the given schedules whose failure streak has reached their `pause_after_failures`
 * (`paused_by` null, a note saying why), records a `paused` schedule event, cancels their runs
 * created ahead, and returns one alert per paused schedule (`paused: true`) for the caller to
 * deliver after commit. The condition is `>=`, so a pause missed by a crash between the streak
 * update and this statement happens at the next failure.
 */
export async function pauseFailingSchedules(
  tx: Queryable,
  scheduleIds: readonly string[],
  now: Date,
  options: {
    lastErrors?: ReadonlyMap<string, FailureAlert['lastError']>;
    channels?: Pick<Database, 'channelName'> | undefined;
  } = {},
): Promise<FailureAlert[]> {
  if (scheduleIds.length === 0) return [];
  const rows = await pauseSchedulesAtStreak(tx, scheduleIds, now);
  if (rows.length === 0) return [];
  const alerts = rows.map((row): FailureAlert => ({
    schedule: { id: row.id, name: row.name, owner_id: row.owner_id, webhook: row.webhook },
    streak: row.consecutive_failures,
    alertAfter: row.alert_after,
    lastError: options.lastErrors?.get(row.id) ?? { run_id: '', status: 'error', error_kind: null, error: null },
    at: now,
    paused: { after_failures: row.pause_after_failures },
  }));
  await appendScheduleEvents(
    tx,
    alerts.map((alert) => ({
      scheduleId: alert.schedule.id,
      kind: 'paused',
      at: now,
      data: {
        by: null,
        automatic: true,
        streak: alert.streak,
        pause_after_failures: alert.paused!.after_failures,
        last_error: alert.lastError,
      },
    })),
  );
  const cancelled = await cancelRunsAhead(
    tx,
    rows.map((row) => row.id),
    now,
    'the schedule was paused after repeated failures',
  );
  if (options.channels) await notifyRunsFinished(tx, options.channels, cancelled);
  return alerts;
}

/** The alerts of one batch plus its pauses: a schedule that alerted and paused at once gets one alert, marked paused. */
export function mergePauseAlerts(alerts: readonly FailureAlert[], pauses: readonly FailureAlert[]): FailureAlert[] {
  const paused = new Map(pauses.map((alert) => [alert.schedule.id, alert]));
  const merged = alerts.map((alert) => {
    const pause = paused.get(alert.schedule.id);
    if (!pause) return alert;
    paused.delete(alert.schedule.id);
    return { ...alert, paused: pause.paused! };
  });
  return [...merged, ...paused.values()];
}
