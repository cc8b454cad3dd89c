import type { Database, Queryable } from './database.ts';

/** A row of `trigger_debounces`: the pending run of one debounce key of a trigger. */
export interface DebounceRow {
  trigger_id: string;
  debounce_key: string;
  due_at: Date;
  /** The latest delivery of the burst; its input is the run's. */
  delivery_id: string;
  received_at: Date;
  input: unknown;
  delivery_key: string | null;
  /** Deliveries held in this burst so far. */
  deliveries: number;
  first_received_at: Date;
}

/** A due debounce with what its run needs from the trigger. */
export interface DueDebounce extends DebounceRow {
  owner_id: string;
  assistant_id: string | null;
  workflow_id: string | null;
  timeout_ms: number | null;
  /** The trigger's priority for its runs (1 first .. 5). */
  priority: number;
  /** Whether the trigger is enabled now: a disabled one's pending debounce starts no run. */
  enabled: boolean;
}

export type HeldDelivery = Omit<DebounceRow, 'deliveries' | 'first_received_at'>;

/**
 * Holds one delivery: creates the key's pending debounce, or joins the burst already pending.
 * The latest delivery (by receipt time; the later commit on a tie) gives the input, and the due
 * time only moves later (trailing edge). Call it in the delivery's transaction: the row lock
 * serialises deliveries of one key, and a claim that holds the row makes this wait, then start a
 * new burst once the claimed row is gone. Returns the row as it now stands.
 */
export async function holdDelivery(tx: Queryable, held: HeldDelivery): Promise<DebounceRow> {
  const { rows } = await tx.query<DebounceRow>(
    `INSERT INTO trigger_debounces AS d
       (trigger_id, debounce_key, due_at, delivery_id, received_at, input, delivery_key, deliveries, first_received_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 1, $5)
     ON CONFLICT (trigger_id, debounce_key) DO UPDATE SET
       due_at = GREATEST(d.due_at, excluded.due_at),
       delivery_id = CASE WHEN excluded.received_at >= d.received_at THEN excluded.delivery_id ELSE d.delivery_id END,
       input = CASE WHEN excluded.received_at >= d.received_at THEN excluded.input ELSE d.input END,
       delivery_key = CASE WHEN excluded.received_at >= d.received_at THEN excluded.delivery_key ELSE d.delivery_key END,
       received_at = GREATEST(d.received_at, excluded.received_at),
       deliveries = d.deliveries + 1,
       first_received_at = LEAST(d.first_received_at, excluded.received_at)
     RETURNING *`,
    [
      held.trigger_id,
      held.debounce_key,
      held.due_at,
      held.delivery_id,
      held.received_at,
      JSON.stringify(held.input ?? null),
      held.delivery_key,
    ],
  );
  return rows[0]!;
}

/**
 * Locks debounces due at `now`, oldest first, skipping those another replica (or a delivery)
 * holds: `FOR UPDATE SKIP LOCKED`, the claim discipline of schedules and waits. Call it in the
 * transaction that creates their runs and deletes them ({@link deleteDebounces}).
 */
export async function lockDueDebounces(tx: Queryable, now: Date, limit: number): Promise<DueDebounce[]> {
  const { rows } = await tx.query<DueDebounce>(
    `SELECT d.*, t.owner_id, t.assistant_id, t.workflow_id, t.timeout_ms, t.priority, t.enabled
     FROM trigger_debounces d JOIN triggers t ON t.id = d.trigger_id
     WHERE d.due_at <= $1
     ORDER BY d.due_at LIMIT $2
     FOR UPDATE OF d SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

/** Deletes claimed debounces (locked by this transaction). */
export async function deleteDebounces(
  tx: Queryable,
  keys: ReadonlyArray<Pick<DebounceRow, 'trigger_id' | 'debounce_key'>>,
): Promise<void> {
  if (keys.length === 0) return;
  await tx.query(
    `DELETE FROM trigger_debounces d
     USING unnest($1::uuid[], $2::text[]) AS k(trigger_id, debounce_key)
     WHERE d.trigger_id = k.trigger_id AND d.debounce_key = k.debounce_key`,
    [keys.map((k) => k.trigger_id), keys.map((k) => k.debounce_key)],
  );
}

/** Links the deliveries that started runs to their runs (or, run_id null, says why none started). */
export async function linkDebouncedDeliveries(
  tx: Queryable,
  links: ReadonlyArray<{ delivery_id: string; run_id: string | null; reason: string }>,
): Promise<void> {
  if (links.length === 0) return;
  await tx.query(
    `UPDATE trigger_deliveries d SET run_id = l.run_id, reason = l.reason
     FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS l(id, run_id, reason)
     WHERE d.id = l.id`,
    [links.map((l) => l.delivery_id), links.map((l) => l.run_id), links.map((l) => l.reason)],
  );
}

/** The earliest due time of a pending debounce; null when none is pending. */
export async function earliestDebounceDue(db: Database): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>('SELECT min(due_at) AS at FROM trigger_debounces');
  return rows[0]?.at ?? null;
}

/** The pending debounces of a trigger, earliest due first. */
export async function pendingDebounces(db: Queryable, triggerId: string): Promise<DebounceRow[]> {
  const { rows } = await db.query<DebounceRow>(
    'SELECT * FROM trigger_debounces WHERE trigger_id = $1 ORDER BY due_at, debounce_key',
    [triggerId],
  );
  return rows;
}
