import type { Queryable } from './database.ts';

/** Deletes a finished run with its trace and steps (cascade); a pending or running one is left. Returns whether it went. */
export async function deleteFinishedRun(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM runs WHERE id = $1 AND status IN ('success', 'error', 'timeout', 'cancelled', 'skipped')`,
    [id],
  );
  return rowCount > 0;
}
