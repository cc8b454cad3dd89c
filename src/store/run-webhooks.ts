import type { Queryable } from './database.ts';
import type { RunRow } from './runs.ts';

/** A run claimed for webhook delivery, with the URL to POST it to and the attempt it is on. */
export type ClaimedWebhook = RunRow & {
  webhook_url: string;
  webhook_attempts: number;
  /** `langgraph` for a cron made through the LangGraph routes (its schedule's `config.api`); null: native. */
  webhook_body: string | null;
};

export interface ClaimWebhooksOptions {
  now: Date;
  /** How long a claimed delivery is hidden from other replicas (its lease). */
  leaseMs: number;
  /** Only runs finished this recently (a webhook added later does not replay old history). */
  maxAgeMs: number;
  maxAttempts: number;
  limit: number;
}

/**
 * Claims finished runs whose schedule has a webhook and that are due for a delivery attempt
 * (`FOR UPDATE SKIP LOCKED`, so replicas never take the same run at once): counts the attempt
 * and leases the run until `now + leaseMs`, after which an unrecorded attempt is retried.
 * Skipped runs (never started) are not delivered.
 */
export async function claimWebhookDeliveries(db: Queryable, options: ClaimWebhooksOptions): Promise<ClaimedWebhook[]> {
  const { rows } = await db.query<ClaimedWebhook>(
    `WITH due AS (
       SELECT r.id, s.webhook, s.config->>'api' AS webhook_body
       FROM schedules s
       JOIN runs r ON r.schedule_id = s.id
       WHERE s.webhook IS NOT NULL
         AND r.webhook_delivered_at IS NULL AND r.finished_at IS NOT NULL
         AND r.finished_at > $1::timestamptz - $3 * interval '1 millisecond'
         AND r.status <> 'skipped'
         AND r.webhook_attempts < $4
         AND (r.webhook_next_at IS NULL OR r.webhook_next_at <= $1)
       ORDER BY r.finished_at
       LIMIT $5
       FOR UPDATE OF r SKIP LOCKED
     )
     UPDATE runs r SET webhook_attempts = r.webhook_attempts + 1,
                       webhook_next_at = $1::timestamptz + $2 * interval '1 millisecond'
     FROM due WHERE r.id = due.id
     RETURNING r.*, due.webhook AS webhook_url, due.webhook_body`,
    [options.now, options.leaseMs, options.maxAgeMs, options.maxAttempts, options.limit],
  );
  return rows;
}

/** Records a delivered webhook. */
export async function markWebhookDelivered(db: Queryable, runId: string, now: Date): Promise<void> {
  await db.query('UPDATE runs SET webhook_delivered_at = $2, webhook_next_at = NULL WHERE id = $1', [runId, now]);
}

/** Records a failed attempt: the next one is not before `nextAt`. */
export async function scheduleWebhookRetry(db: Queryable, runId: string, nextAt: Date): Promise<void> {
  await db.query('UPDATE runs SET webhook_next_at = $2 WHERE id = $1 AND webhook_delivered_at IS NULL', [
    runId,
    nextAt,
  ]);
}
