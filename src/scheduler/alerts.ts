import type { Logger } from '../logger.ts';
import type { FailureAlert } from '../worker/record-outcomes.ts';

/** The JSON body POSTed to the alert webhook. */
export function alertPayload(alert: FailureAlert): Record<string, unknown> {
  return {
    kind: 'schedule.failure_streak',
    schedule: { id: alert.schedule.id, name: alert.schedule.name, owner_id: alert.schedule.owner_id },
    streak: alert.streak,
    alert_after: alert.alertAfter,
    last_error: alert.lastError,
    at: alert.at.toISOString(),
    // Present when the streak also reached pause_after_failures: the schedule no longer fires.
    ...(alert.paused && { paused: true, pause_after_failures: alert.paused.after_failures }),
  };
}

/**
 * Delivers failure-streak alerts (already recorded as schedule events) to `KAIROS_ALERT_WEBHOOK`
 * and to the schedule's own webhook, if any. Best effort: a failed delivery is logged, not retried.
 */
export async function deliverAlerts(alerts: readonly FailureAlert[], webhook: string | undefined, logger: Logger): Promise<void> {
  await Promise.all(
    alerts.flatMap((alert) => {
      const targets = [webhook, alert.schedule.webhook].filter((url): url is string => typeof url === 'string' && url.length > 0);
      const pausedText = alert.paused ? ' and was paused (pause_after_failures); resume it once fixed' : '';
      logger.warn({ schedule_id: alert.schedule.id, streak: alert.streak, paused: Boolean(alert.paused) }, `schedule "${alert.schedule.name}" failed ${alert.streak} times in a row${pausedText}`);
      return [...new Set(targets)].map(async (url) => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(alertPayload(alert)),
            signal: AbortSignal.timeout(5000),
          });
          if (!response.ok) logger.warn({ status: response.status, schedule_id: alert.schedule.id }, 'alert webhook refused the alert');
        } catch (error) {
          logger.warn({ err: error, schedule_id: alert.schedule.id }, 'alert webhook unreachable');
        }
      });
    }),
  );
}
