import type { Queryable } from './database.ts';
import type { RunStatus } from './run-kinds.ts';

/** A listed schedule's runs over a window by status, and its success rate. */
export interface ScheduleRate {
  schedule_id: string;
  /** Runs created in the window, every status. */
  total: number;
  by_status: Partial<Record<RunStatus, number>>;
  /** success / (success + error + timeout); null when none of those finished in the window. */
  success_rate: number | null;
}

/**
 * The rates of many schedules in one statement (a list page's 50 rows): counts by status of the
 * runs created since `since`, through runs_schedule_idx (schedule_id, created_at). Schedules not
 * found, or not `ownerId`'s when given, are left out.
 */
export async function scheduleRates(
  db: Queryable,
  ids: readonly string[],
  options: { since: Date; ownerId?: string },
): Promise<ScheduleRate[]> {
  const { rows } = await db.query<{ schedule_id: string; by_status: Partial<Record<RunStatus, number>> }>(
    `SELECT s.id AS schedule_id,
            coalesce((SELECT jsonb_object_agg(status, n) FROM (
               SELECT status, count(*)::int AS n FROM runs r
               WHERE r.schedule_id = s.id AND r.created_at >= $2 GROUP BY status) a), '{}') AS by_status
     FROM schedules s
     WHERE s.id = ANY($1::uuid[]) AND ($3::uuid IS NULL OR s.owner_id = $3)`,
    [ids, options.since, options.ownerId ?? null],
  );
  const byId = new Map(rows.map((row) => [row.schedule_id, row]));
  return [...new Set(ids)].flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const count = (status: RunStatus) => row.by_status[status] ?? 0;
    const decided = count('success') + count('error') + count('timeout');
    return [
      {
        schedule_id: id,
        total: Object.values(row.by_status).reduce((sum, n) => sum + (n ?? 0), 0),
        by_status: row.by_status,
        success_rate: decided === 0 ? null : count('success') / decided,
      },
    ];
  });
}
