import type { Queryable } from './database.ts';
import type { WaitRow } from './waits.ts';

/** A row of `events`: an event sent with POST /api/v1/events, kept for lookback. */
export interface EventRow {
  id: string;
  name: string;
  key: string | null;
  payload: unknown;
  sender_id: string | null;
  received_at: Date;
}

/**
 * Serialises the events of one name with the waits that begin on it (a transaction lock): an
 * event committed while a wait opens is seen by one of the two, never missed by both.
 */
export async function lockEventName(tx: Queryable, schema: string, name: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${schema}:event:${name}`]);
}

export async function insertEvent(
  tx: Queryable,
  event: { name: string; key: string | null; payload: unknown; senderId: string; receivedAt: Date },
): Promise<EventRow> {
  const { rows } = await tx.query<EventRow>(
    `INSERT INTO events (name, key, payload, sender_id, received_at) VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING *`,
    [event.name, event.key, JSON.stringify(event.payload ?? null), event.senderId, event.receivedAt],
  );
  return rows[0]!;
}

/**
 * Events a wait of `runId` may match, oldest first: of its name, received since `from`, sent by
 * the run's owner or an admin, and not taken by another wait of the same run.
 */
export async function eventsForWait(
  tx: Queryable,
  wait: Pick<WaitRow, 'run_id' | 'event_name'>,
  from: Date,
): Promise<EventRow[]> {
  const { rows } = await tx.query<EventRow>(
    `SELECT e.* FROM events e JOIN runs r ON r.id = $1 LEFT JOIN users u ON u.id = e.sender_id
     WHERE e.name = $2 AND e.received_at >= $3 AND (e.sender_id = r.owner_id OR u.role = 'admin')
       AND NOT EXISTS (SELECT 1 FROM waits w WHERE w.run_id = $1 AND w.event_id = e.id)
     ORDER BY e.received_at, e.id LIMIT 1000`,
    [wait.run_id, wait.event_name, from],
  );
  return rows;
}

/** Open event waits of this name that the sender may wake (its own runs; every run for an admin), locked. */
export async function lockOpenEventWaits(
  tx: Queryable,
  name: string,
  sender: { id: string; admin: boolean },
): Promise<Array<WaitRow & { input: unknown }>> {
  const { rows } = await tx.query<WaitRow & { input: unknown }>(
    `SELECT w.*, r.input FROM waits w JOIN runs r ON r.id = w.run_id
     WHERE w.kind = 'event' AND w.event_name = $1 AND w.resolved_at IS NULL
       AND r.status IN ('waiting', 'running') AND ($3 OR r.owner_id = $2)
     ORDER BY w.since, w.run_id
     FOR UPDATE OF w`,
    [name, sender.id, sender.admin],
  );
  return rows;
}

/** Forgets events older than `before` (past every lookback). */
export async function pruneEvents(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM events WHERE received_at < $1', [before]);
  return rowCount;
}
