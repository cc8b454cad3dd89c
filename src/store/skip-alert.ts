import type { Queryable } from './database.ts';
import { skipReasonSql } from './skip-reasons.ts';

/** A schedule whose occurrences just ended without a start `alert_on_skips` times in a row. */
export interface SkipAlert {
  schedule: { id: string; name: string; owner_id: string; webhook: string | null };
  /** Occurrences in a row without a start (runs skipped, missed, excluded, …). */
  skips: number;
  alertOnSkips: number;
  /** The streak by reason. */
  byReason: Record<string, number>;
  at: Date;
}

/** Runs of schedules that ended, with why none started (null: it started). */
export async function endedScheduleRuns(
  db: Queryable,
  runIds: readonly string[],
): Promise<Array<{ id: string; schedule_id: string; trigger: string; reason: string | null }>> {
  if (runIds.length === 0) return [];
  const { rows } = await db.query<{ id: string; schedule_id: string; trigger: string; reason: string | null }>(
    `SELECT r.id, r.schedule_id, r.trigger, ${skipReasonSql} AS reason
       FROM runs r WHERE r.id = ANY($1::uuid[]) AND r.schedule_id IS NOT NULL`,
    [runIds],
  );
  return rows;
}

/**
 * One statement: for each schedule with `alert_on_skips`, the occurrences that ended without a
 * start since its last run that started (runs by their skip reason, plus the scheduler's `missed`
 * and `excluded` occurrences); a streak that reached the limit and was not alerted yet is marked
 * (`skip_alerted_at`, once per streak), recorded as a `skip_alert` schedule event and returned.
 */
export async function crossSkipAlerts(db: Queryable, scheduleIds: readonly string[], now: Date): Promise<SkipAlert[]> {
  if (scheduleIds.length === 0) return [];
  const { rows } = await db.query<{
    id: string;
    name: string;
    owner_id: string;
    webhook: string | null;
    alert_on_skips: number;
    by_reason: Record<string, number>;
  }>(
    `WITH s AS (
         SELECT s.id, (SELECT max(r.finished_at) FROM runs r
             WHERE r.schedule_id = s.id AND r.finished_at IS NOT NULL
               AND r.status NOT IN ('pending', 'running', 'waiting') AND (${skipReasonSql}) IS NULL) AS last_start
         FROM schedules s WHERE s.id = ANY($1::uuid[]) AND s.alert_on_skips IS NOT NULL
       ), streak AS (
         SELECT s.id, s.last_start, coalesce((SELECT jsonb_object_agg(reason, n) FROM (
             SELECT reason, sum(n)::int AS n FROM (
               SELECT ${skipReasonSql} AS reason, 1 AS n FROM runs r
                 WHERE r.schedule_id = s.id AND r.finished_at > coalesce(s.last_start, '-infinity')
               UNION ALL
               SELECT e.kind, (e.data ->> 'count')::int FROM schedule_events e
                 WHERE e.schedule_id = s.id AND e.kind IN ('missed', 'excluded') AND e.at > coalesce(s.last_start, '-infinity')
             ) x WHERE reason IS NOT NULL GROUP BY reason) y), '{}'::jsonb) AS by_reason
         FROM s
       ), crossed AS (
         UPDATE schedules x SET skip_alerted_at = $2
         FROM streak
         WHERE x.id = streak.id
           AND (SELECT coalesce(sum(value::int), 0) FROM jsonb_each_text(streak.by_reason)) >= x.alert_on_skips
           AND (x.skip_alerted_at IS NULL OR x.skip_alerted_at <= coalesce(streak.last_start, '-infinity'))
         RETURNING x.id, x.name, x.owner_id, x.webhook, x.alert_on_skips, streak.by_reason
       ), e AS (
         INSERT INTO schedule_events (schedule_id, kind, data, at)
         SELECT id, 'skip_alert', jsonb_build_object('alert_on_skips', alert_on_skips, 'by_reason', by_reason), $2 FROM crossed
       )
       SELECT * FROM crossed`,
    [scheduleIds, now],
  );
  return rows.map((row) => ({
    schedule: { id: row.id, name: row.name, owner_id: row.owner_id, webhook: row.webhook },
    skips: Object.values(row.by_reason).reduce((sum, n) => sum + Number(n), 0),
    alertOnSkips: row.alert_on_skips,
    byReason: row.by_reason,
    at: now,
  }));
}
