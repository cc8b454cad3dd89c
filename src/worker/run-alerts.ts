import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { crossTokenAlert } from '../store/token-alert.ts';
import { deliverAlerts, deliverTokenAlert } from './alerts.ts';
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
