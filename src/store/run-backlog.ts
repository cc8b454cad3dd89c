import type { Queryable } from './database.ts';

/** A backlog whose oldest run has waited less than this is the ordinary moment between due and claimed. */
export const backlogThresholdMs = 1000;

/** Runs due and not started: how far the workers are behind. */
export interface RunBacklog {
  /** Pending runs whose `not_before` has passed. */
  due: number;
  /** How long the oldest of them has been due, ms; null when none is. */
  oldestAgeMs: number | null;
}

/** One index range scan (`runs_runnable_idx`): the due pending runs and the oldest one's age at `now`. */
export async function readRunBacklog(db: Queryable, now: number): Promise<RunBacklog> {
  const { rows } = await db.query<{ due: number; oldest: Date | null }>(
    `SELECT count(*)::int AS due, min(not_before) AS oldest FROM runs WHERE status = 'pending' AND not_before <= $1`,
    [new Date(now)],
  );
  const oldest = rows[0]?.oldest ?? null;
  return { due: rows[0]?.due ?? 0, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest.getTime()) };
}
