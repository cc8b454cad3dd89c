import type { Queryable } from './database.ts';

/** Whose precheck: a schedule's or a trigger's (a run of a trigger has no schedule). */
export type PrecheckOwner =
  { scheduleId: string; triggerId?: undefined } | { scheduleId?: undefined; triggerId: string };

/** What a precheck sees of the past: the previous finished run and the previous response body. */
export interface PrecheckPast {
  last_run: { status: string; output: unknown; finished_at: string | null } | null;
  last_precheck: unknown;
}

/**
 * One statement: the latest finished run of the schedule (or trigger) other than `runId`, and the
 * response body its last precheck kept.
 */
export async function precheckPast(db: Queryable, owner: PrecheckOwner, runId: string): Promise<PrecheckPast> {
  const schedule = owner.scheduleId !== undefined;
  const { rows } = await db.query<{ last_run: PrecheckPast['last_run']; last_precheck: unknown }>(
    `SELECT
       (SELECT jsonb_build_object('status', r.status, 'output', r.output,
            'finished_at', to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          FROM runs r
          WHERE ${schedule ? 'r.schedule_id = $1' : 'r.trigger_id = $1'} AND r.id <> $2
            AND r.finished_at IS NOT NULL AND r.status NOT IN ('pending', 'running', 'waiting')
          ORDER BY r.finished_at DESC LIMIT 1) AS last_run,
       (SELECT last_precheck FROM ${schedule ? 'schedules' : 'triggers'} WHERE id = $1) AS last_precheck`,
    [owner.scheduleId ?? owner.triggerId, runId],
  );
  return { last_run: rows[0]?.last_run ?? null, last_precheck: rows[0]?.last_precheck ?? null };
}

/** Keeps a precheck's response body for the next one (`last_precheck`); not a change of the schedule (no version). */
export async function keepPrecheckResponse(db: Queryable, owner: PrecheckOwner, body: unknown): Promise<void> {
  await db.query(
    `UPDATE ${owner.scheduleId !== undefined ? 'schedules' : 'triggers'} SET last_precheck = $2::jsonb WHERE id = $1`,
    [owner.scheduleId ?? owner.triggerId, JSON.stringify(body ?? null)],
  );
}
