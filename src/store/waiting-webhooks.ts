import type { Queryable } from './database.ts';
import type { WaitRow } from './waits.ts';

/** A wait claimed for its `on_waiting` webhook, with the URL and the attempt it is on. */
export type ClaimedWaitingWebhook = WaitRow & {
  url: string;
  notify_attempts: number;
  owner_id: string;
};

/**
 * Claims waits whose run's schedule (or, without one, the workflow's definition) has an
 * `on_waiting` URL and that are due for a delivery attempt (`FOR UPDATE SKIP LOCKED`): counts the
 * attempt and leases the wait until `now + leaseMs`. Only waits opened within `maxAgeMs`.
 */
export async function claimWaitingWebhooks(
  db: Queryable,
  options: { now: Date; leaseMs: number; maxAgeMs: number; maxAttempts: number; limit: number },
): Promise<ClaimedWaitingWebhook[]> {
  const { rows } = await db.query<ClaimedWaitingWebhook>(
    `WITH due AS (
       SELECT w.run_id, w.node_key, coalesce(s.on_waiting, wf.definition->>'on_waiting') AS url, r.owner_id
       FROM waits w
       JOIN runs r ON r.id = w.run_id
       LEFT JOIN schedules s ON s.id = r.schedule_id
       LEFT JOIN workflows wf ON wf.id = r.workflow_id
       WHERE w.notified_at IS NULL
         AND coalesce(s.on_waiting, wf.definition->>'on_waiting') IS NOT NULL
         AND w.since > $1::timestamptz - $3 * interval '1 millisecond'
         AND w.notify_attempts < $4
         AND (w.notify_next_at IS NULL OR w.notify_next_at <= $1)
       ORDER BY w.since
       LIMIT $5
       FOR UPDATE OF w SKIP LOCKED
     )
     UPDATE waits w SET notify_attempts = w.notify_attempts + 1,
                        notify_next_at = $1::timestamptz + $2 * interval '1 millisecond'
     FROM due WHERE w.run_id = due.run_id AND w.node_key = due.node_key
     RETURNING w.*, due.url, due.owner_id`,
    [options.now, options.leaseMs, options.maxAgeMs, options.maxAttempts, options.limit],
  );
  return rows;
}

export async function markWaitingWebhookDelivered(
  db: Queryable,
  key: { runId: string; nodeKey: string },
  now: Date,
): Promise<void> {
  await db.query('UPDATE waits SET notified_at = $3, notify_next_at = NULL WHERE run_id = $1 AND node_key = $2', [
    key.runId,
    key.nodeKey,
    now,
  ]);
}

export async function scheduleWaitingWebhookRetry(
  db: Queryable,
  key: { runId: string; nodeKey: string },
  nextAt: Date,
): Promise<void> {
  await db.query('UPDATE waits SET notify_next_at = $3 WHERE run_id = $1 AND node_key = $2 AND notified_at IS NULL', [
    key.runId,
    key.nodeKey,
    nextAt,
  ]);
}
