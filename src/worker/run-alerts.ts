import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { crossTokenAlert } from '../store/token-alert.ts';
import { deliverAlerts, deliverSkipAlert, deliverTokenAlert } from './alerts.ts';
import { crossSkipAlerts, endedScheduleRuns } from '../store/skip-alert.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/database.ts';
import type { FailureAlert } from './record-outcomes.ts';

export interface RunAlertDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** KAIROS_ALERT_WEBHOOK; alerts are only logged without it. */
  alertWebhook?: string | undefined;
}

/** Sends failure alerts (failure streaks, schedules paused after failures) in the background. */
export function sendFailureAlerts(deps: RunAlertDeps, alerts: readonly FailureAlert[]): void {
  if (alerts.length === 0) return;
  void deliverAlerts(alerts, deps.alertWebhook, deps.logger);
}

/** After a run that recorded usage: alert once a day when the schedule's tokens pass its limit. */
export async function checkTokenAlert(deps: RunAlertDeps, scheduleId: string): Promise<void> {
  const { db, clock, logger, alertWebhook } = deps;
  try {
    const alert = await crossTokenAlert(db, scheduleId, new Date(clock.now()));
    if (alert) void deliverTokenAlert(alert, alertWebhook, logger);
  } catch (error) {
    logger.warn({ err: error, schedule_id: scheduleId }, 'checking the token alert failed');
  }
}

/** After occurrences of these schedules ended without a start: alert once per streak of `alert_on_skips`. */
export async function checkSkipAlerts(deps: RunAlertDeps, scheduleIds: readonly string[]): Promise<void> {
  const { db, clock, logger, alertWebhook } = deps;
  if (scheduleIds.length === 0) return;
  try {
    const alerts = await crossSkipAlerts(db, [...new Set(scheduleIds)], new Date(clock.now()));
    for (const alert of alerts) void deliverSkipAlert(alert, alertWebhook, logger);
  } catch (error) {
    logger.warn({ err: error, schedule_ids: scheduleIds }, 'checking the skip alert failed');
  }
}

/**
 * Accounts for runs that ended without starting outside the worker's own finish (the claim's
 * overlap skips, missed and capacity runs; the deadline sweep): `kairos_occurrences_total` by
 * reason for schedule fires, and the skip alerts of their schedules.
 */
export async function accountEndedRuns(
  deps: RunAlertDeps & { metrics?: Partial<Pick<Metrics, 'occurrences'>> | undefined },
  runIds: readonly string[],
): Promise<void> {
  if (runIds.length === 0) return;
  try {
    const rows = await endedScheduleRuns(deps.db, runIds);
    for (const row of rows) {
      if (row.reason && row.trigger === 'schedule') deps.metrics?.occurrences?.inc(row.reason, row.schedule_id);
    }
    await checkSkipAlerts(
      deps,
      rows.filter((row) => row.reason !== null).map((row) => row.schedule_id),
    );
  } catch (error) {
    deps.logger.warn({ err: error }, 'accounting for runs ended without a start failed');
  }
}
