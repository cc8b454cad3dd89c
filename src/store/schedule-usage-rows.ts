import type { Queryable } from './database.ts';

/** The token usage of a schedule's runs on one day (its zone) with one model. */
export interface UsageRow {
  day: string;
  model: string | null;
  runs: number;
  prompt_tokens: string | number;
  completion_tokens: string | number;
  tokens: string | number;
}

/** Usage per day (in `timezone`) and model of a schedule's runs created since `since`; days without usage are left out. */
export async function listScheduleUsageRows(
  db: Queryable,
  schedule: { id: string; timezone: string },
  since: Date,
): Promise<UsageRow[]> {
  const { rows } = await db.query<UsageRow>(
    `SELECT to_char((r.created_at AT TIME ZONE $3)::date, 'YYYY-MM-DD') AS day, u.model, count(*)::int AS runs,
            coalesce(sum(u.prompt_tokens), 0) AS prompt_tokens, coalesce(sum(u.completion_tokens), 0) AS completion_tokens,
            coalesce(sum(u.total_tokens), 0) AS tokens
     FROM runs r JOIN run_usage_v u ON u.run_id = r.id
     WHERE r.schedule_id = $1 AND r.created_at >= $2
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [schedule.id, since, schedule.timezone],
  );
  return rows;
}
