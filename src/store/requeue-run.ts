import type { Database, Queryable } from './database.ts';

/**
 * Hands a running run back to `pending` without using an attempt (same attempt, same
 * recoveries), runnable from `notBefore` and held for `heldReason` until it starts again, with an
 * event saying why; fenced by (id, lease owner, attempt). False when the lease was lost. Used
 * when the provider asked to wait (a 429): the run is not at fault.
 */
export async function requeueLeasedRun(
  db: Queryable & Pick<Database, 'channelName'>,
  key: { id: string; attempt: number; workerId: string },
  options: { notBefore: Date; startDeadline: Date; heldReason: string; event: string; data: unknown },
): Promise<boolean> {
  const { rows } = await db.query(
    `WITH f AS (
       UPDATE runs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, started_at = NULL,
         late_by_ms = NULL, not_before = $4, start_deadline = $5, held_reason = $6
       WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       RETURNING id
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT f.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = f.id), 0) + 1, $7, $8::jsonb
       FROM f
     )
     SELECT pg_notify($9, $10) IS NULL AS woke FROM f`,
    [
      key.id,
      key.workerId,
      key.attempt,
      options.notBefore,
      options.startDeadline,
      options.heldReason,
      options.event,
      JSON.stringify(options.data),
      db.channelName('runs'),
      String(options.notBefore.getTime()),
    ],
  );
  return rows.length > 0;
}
