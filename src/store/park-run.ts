import type { Database, Queryable } from './database.ts';
import type { WaitingFor, WaitRow } from './waits.ts';

/**
 * Parks a run held by this attempt on its wait: `waiting`, lease released, `waiting_for` set, a
 * `wait` event appended; no slot or connection is held after this. Fenced like every worker
 * write. The wait row is locked first, so a decision or event committing meanwhile is seen: a
 * wait already resolved sends the run straight back to `pending` instead. Returns the status
 * written, or undefined when the lease was gone.
 */
export async function parkRun(
  db: Database,
  key: { id: string; attempt: number; workerId: string },
  wait: Pick<WaitRow, 'node_key'>,
  waitingFor: WaitingFor,
  now: Date,
): Promise<'waiting' | 'pending' | undefined> {
  return db.transaction(async (tx: Queryable) => {
    const { rows: locked } = await tx.query<{ resolved: boolean }>(
      'SELECT resolved_at IS NOT NULL AS resolved FROM waits WHERE run_id = $1 AND node_key = $2 FOR UPDATE',
      [key.id, wait.node_key],
    );
    const resolved = locked[0]?.resolved ?? false;
    const { rows } = await tx.query<{ status: 'waiting' | 'pending' }>(
      `WITH p AS (
         UPDATE runs SET status = $4, lease_owner = NULL, lease_expires_at = NULL,
           waiting_for = CASE WHEN $4 = 'waiting' THEN $5::jsonb END,
           not_before = CASE WHEN $4 = 'pending' THEN $6 ELSE not_before END, start_deadline = NULL,
           ignore_overlap = ignore_overlap OR $4 = 'pending'
         WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
         RETURNING id, status
       ), e AS (
         INSERT INTO run_events (run_id, seq, kind, data)
         SELECT p.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = p.id), 0) + 1, 'wait', $5::jsonb
         FROM p
       )
       SELECT p.status, pg_notify($7, '0') IS NULL AS notified FROM p`,
      [
        key.id,
        key.workerId,
        key.attempt,
        resolved ? 'pending' : 'waiting',
        JSON.stringify(waitingFor),
        now,
        db.channelName(resolved ? 'runs' : 'waits'),
      ],
    );
    return rows[0]?.status;
  });
}
