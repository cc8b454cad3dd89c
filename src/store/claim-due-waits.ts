import type { Database } from './database.ts';
import { wakeRuns, type WaitResolution, type WaitRow } from './waits.ts';

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
    if (rows.length === 0) return { claimed: 0, woken: [] };
    const outcomes = rows.map((wait) => options.outcome(wait, now));
    // One statement resolves the batch (its rows are locked: none was resolved meanwhile).
    const { rows: ended } = await tx.query<WaitRow>(
      `UPDATE waits w SET resolution = u.resolution, resolved_at = $5, result = u.result::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(run_id, node_key, resolution, result)
       WHERE w.run_id = u.run_id AND w.node_key = u.node_key AND w.resolved_at IS NULL
       RETURNING w.*`,
      [
        rows.map((w) => w.run_id),
        rows.map((w) => w.node_key),
        outcomes.map((o) => o.resolution),
        outcomes.map((o) => JSON.stringify(o.result ?? null)),
        now,
      ],
    );
    const resolved = ended.filter((w) => w.resolution !== 'cancelled');
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
