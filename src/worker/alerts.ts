import type { Logger } from '../logger.ts';
import type { TokenAlert } from '../store/token-alert.ts';
import type { SkipAlert } from '../store/skip-alert.ts';
import type { FailureAlert } from './record-outcomes.ts';

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

/** The JSON body of a token alert: one day's tokens passed the schedule's `alert_on_tokens_per_day`. */
export function tokenAlertPayload(alert: TokenAlert): Record<string, unknown> {
  return {
    kind: 'schedule.tokens_per_day',
    schedule: { id: alert.schedule.id, name: alert.schedule.name, owner_id: alert.schedule.owner_id },
    day: alert.day,
    tokens: alert.tokens,
    alert_on_tokens_per_day: alert.limit,
    at: alert.at.toISOString(),
  };
}

/**
 * Delivers failure-streak alerts (already recorded as schedule events) to `KAIROS_ALERT_WEBHOOK`
 * and to the schedule's own webhook, if any. Best effort: a failed delivery is logged, not retried.
 */
export async function deliverAlerts(
  alerts: readonly FailureAlert[],
  webhook: string | undefined,
  logger: Logger,
): Promise<void> {
  await Promise.all(
    alerts.map((alert) => {
      const pausedText = alert.paused ? ' and was paused (pause_after_failures); resume it once fixed' : '';
      logger.warn(
        { schedule_id: alert.schedule.id, streak: alert.streak, paused: Boolean(alert.paused) },
        `schedule "${alert.schedule.name}" failed ${alert.streak} times in a row${pausedText}`,
      );
      return postAlert([webhook, alert.schedule.webhook], alertPayload(alert), alert.schedule.id, logger);
    }),
  );
}

/** Delivers a token alert (already recorded as a schedule event) the same way as failure alerts. */
export async function deliverTokenAlert(alert: TokenAlert, webhook: string | undefined, logger: Logger): Promise<void> {
  logger.warn(
    { schedule_id: alert.schedule.id, tokens: alert.tokens, limit: alert.limit },
    `schedule "${alert.schedule.name}" used ${alert.tokens} tokens on ${alert.day}, over its alert_on_tokens_per_day of ${alert.limit}`,
  );
  await postAlert([webhook, alert.schedule.webhook], tokenAlertPayload(alert), alert.schedule.id, logger);
}

/** The JSON body of a skip alert: `alert_on_skips` occurrences in a row ended without a start. */
export function skipAlertPayload(alert: SkipAlert): Record<string, unknown> {
  return {
    kind: 'schedule.skip_streak',
    schedule: { id: alert.schedule.id, name: alert.schedule.name, owner_id: alert.schedule.owner_id },
    skips: alert.skips,
    alert_on_skips: alert.alertOnSkips,
    by_reason: alert.byReason,
    at: alert.at.toISOString(),
  };
}

/** Delivers a skip alert (already recorded as a `skip_alert` schedule event) the same way as failure alerts. */
export async function deliverSkipAlert(alert: SkipAlert, webhook: string | undefined, logger: Logger): Promise<void> {
  logger.warn(
    { schedule_id: alert.schedule.id, skips: alert.skips, by_reason: alert.byReason },
    `schedule "${alert.schedule.name}" skipped ${alert.skips} occurrences in a row (alert_on_skips ${alert.alertOnSkips})`,
  );
  await postAlert([webhook, alert.schedule.webhook], skipAlertPayload(alert), alert.schedule.id, logger);
}

async function postAlert(
  urls: ReadonlyArray<string | null | undefined>,
  payload: Record<string, unknown>,
  scheduleId: string,
  logger: Logger,
): Promise<void> {
  const targets = [...new Set(urls.filter((url): url is string => typeof url === 'string' && url.length > 0))];
  await Promise.all(
    targets.map(async (url) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok)
          logger.warn({ status: response.status, schedule_id: scheduleId }, 'alert webhook refused the alert');
      } catch (error) {
        logger.warn({ err: error, schedule_id: scheduleId }, 'alert webhook unreachable');
      }
    }),
  );
}
