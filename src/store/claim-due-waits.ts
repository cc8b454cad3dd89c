import type { Database } from './database.ts';
import { resolveWait, wakeRuns, type WaitResolution, type WaitRow } from './waits.ts';

/** How a due wait ends: its resolution and what its node receives. */
export type DueOutcome = (
  wait: WaitRow & { run_status: string },
  now: Date,
) => {
  resolution: WaitResolution;
  result: unknown;
};

/**
 * Claims open waits whose due time has come (timers, and approval or event timeouts) in one
 * transaction, the way claimDueSchedules claims schedules: `FOR UPDATE SKIP LOCKED`, so that any
 * number of replicas share them and each wait ends exactly once; a wait that a decision or an
 * event is resolving at that moment is skipped (it is locked) and then found resolved. Each is
 * resolved as `outcome` says and its run goes back to `pending`. Returns how many were claimed.
 */
export async function claimDueWaits(
  db: Database,
  options: { now: number; batchSize: number; outcome: DueOutcome },
): Promise<{ claimed: number; woken: string[] }> {
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<WaitRow & { run_status: string }>(
      `SELECT w.*, r.status AS run_status FROM waits w JOIN runs r ON r.id = w.run_id
       WHERE w.resolved_at IS NULL AND w.until <= $1
       ORDER BY w.until LIMIT $2
       FOR UPDATE OF w SKIP LOCKED`,
      [now, options.batchSize],
    );
    const resolved: WaitRow[] = [];
    for (const wait of rows) {
      const { resolution, result } = options.outcome(wait, now);
      const row = await resolveWait(
        tx,
        { runId: wait.run_id, nodeKey: wait.node_key },
        { resolution, at: now, result },
      );
      if (row && resolution !== 'cancelled') resolved.push(row);
    }
    const woken = await wakeRuns(tx, db, resolved, now);
    return { claimed: rows.length, woken };
  });
}

/** The earliest due time of an open wait; null when none has one. */
export async function earliestWaitDue(db: Database): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    'SELECT min(until) AS at FROM waits WHERE resolved_at IS NULL AND until IS NOT NULL',
  );
  return rows[0]?.at ?? null;
}
