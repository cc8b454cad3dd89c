import type { Queryable } from './database.ts';

/**
 * Copies the named `run_steps` rows of one run into another, marked `reused` (a replay takes the
 * recorded outputs of the nodes before its `from_step`). Returns how many rows were copied.
 */
export async function copyRunSteps(db: Queryable, fromRunId: string, toRunId: string, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const { rows } = await db.query<{ key: string }>(
    `INSERT INTO run_steps (run_id, key, parent_key, path, name, type, status, attempt, iteration, ord,
                            input, output, error, started_at, finished_at, duration_ms, reused)
     SELECT $2, key, parent_key, path, name, type, status, attempt, iteration, ord,
            input, output, error, started_at, finished_at, duration_ms, true
     FROM run_steps WHERE run_id = $1 AND key = ANY($3::text[])
     RETURNING key`,
    [fromRunId, toRunId, keys],
  );
  return rows.length;
}
