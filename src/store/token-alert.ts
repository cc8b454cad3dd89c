import type { Queryable } from './database.ts';

/** A schedule whose tokens today (its zone) just passed `alert_on_tokens_per_day`. */
export interface TokenAlert {
  schedule: { id: string; name: string; owner_id: string; webhook: string | null };
  day: string;
  tokens: number;
  limit: number;
  at: Date;
}

interface AlertRow {
  id: string;
  name: string;
  owner_id: string;
  webhook: string | null;
  day: string;
  tokens: string | number;
  limit_tokens: string | number;
}

/**
 * Checks one schedule's tokens today against its `alert_on_tokens_per_day`, after a run of it
 * that recorded usage finished. In one statement: marks the day alerted (so each day alerts once,
 * however many replicas finish runs at the same moment) and records an `alert` schedule event.
 */
export async function crossTokenAlert(db: Queryable, scheduleId: string, now: Date): Promise<TokenAlert | undefined> {
  const { rows } = await db.query<AlertRow>(
    `WITH s AS (
       SELECT id, timezone, alert_on_tokens_per_day AS limit_tokens, (($2::timestamptz) AT TIME ZONE timezone)::date AS today
       FROM schedules WHERE id = $1 AND alert_on_tokens_per_day IS NOT NULL),
     used AS (
       SELECT coalesce(sum(u.total_tokens), 0) AS tokens
       FROM s JOIN runs r ON r.schedule_id = s.id JOIN run_usage_v u ON u.run_id = r.id
       WHERE r.created_at >= (s.today::timestamp AT TIME ZONE s.timezone)),
     alerted AS (
       UPDATE schedules t SET tokens_alerted_on = s.today
       FROM s, used
       WHERE t.id = s.id AND used.tokens > s.limit_tokens AND t.tokens_alerted_on IS DISTINCT FROM s.today
       RETURNING t.id, t.name, t.owner_id, t.webhook, to_char(s.today, 'YYYY-MM-DD') AS day, used.tokens, s.limit_tokens),
     event AS (
       INSERT INTO schedule_events (schedule_id, kind, data, at)
       SELECT id, 'alert', jsonb_build_object('reason', 'tokens_per_day', 'day', day, 'tokens', tokens, 'limit', limit_tokens), $2
       FROM alerted)
     SELECT * FROM alerted`,
    [scheduleId, now],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    schedule: { id: row.id, name: row.name, owner_id: row.owner_id, webhook: row.webhook },
    day: row.day,
    tokens: Number(row.tokens),
    limit: Number(row.limit_tokens),
    at: now,
  };
}
