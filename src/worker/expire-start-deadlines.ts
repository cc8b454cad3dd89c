import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { notifyFinished } from './run-lease.ts';

/**
 * Ends pending runs that could not start before their start deadline as `error`, reason
 * `capacity`, so that an overloaded deployment sheds old work instead of piling it up.
 */
export async function expireStartDeadlines(
  db: Database,
  options: { now: number; batchSize?: number },
): Promise<{ expired: string[]; alerts: FailureAlert[] }> {
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<Pick<RunRow, 'id' | 'schedule_id' | 'error'>>(
      `UPDATE runs SET status = 'error', error_kind = 'capacity',
         error = 'could not start before its start deadline: every worker slot was busy', finished_at = $1
       WHERE id IN (SELECT id FROM runs WHERE status = 'pending' AND start_deadline < $1
                    ORDER BY start_deadline LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, schedule_id, error`,
      [now, options.batchSize ?? 500],
    );
    if (rows.length === 0) return { expired: [], alerts: [] };
    await appendRunEvents(tx, rows.map((run) => ({ runId: run.id, kind: 'capacity', data: { reason: run.error } })));
    const alerts = await recordOutcomes(
      tx,
      rows.map((run) => ({ runId: run.id, scheduleId: run.schedule_id, status: 'error', errorKind: 'capacity', error: run.error, finishedAt: now })),
      db,
    );
    await notifyFinished(tx, db, rows.map((run) => run.id));
    return { expired: rows.map((run) => run.id), alerts };
  });
}
