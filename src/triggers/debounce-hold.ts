import type { Database, Queryable } from '../store/database.ts';
import { notifyDebounces } from '../store/notifications.ts';
import { holdDelivery, type DebounceRow } from '../store/trigger-debounces.ts';
import { insertDelivery } from '../store/trigger-deliveries.ts';
import { formatPeriod } from './debounce-config.ts';

/** One delivery to a debounced trigger, verified and rendered. */
export interface DebouncedDelivery {
  id: string;
  triggerId: string;
  periodMs: number;
  /** The rendered debounce key ("" for the whole trigger). */
  debounceKey: string;
  receivedAt: Date;
  input: unknown;
  /** The sender's delivery id, if any. */
  deliveryKey: string | null;
  bodyBytes: number;
}

/**
 * Holds a delivery instead of running it, in the caller's transaction: records it as `debounced`
 * (202), joins or starts its key's pending debounce with the due time pushed to its arrival plus the
 * period, and wakes the debounce timers on commit. Undefined when a concurrent twin with the same
 * delivery id was recorded first (a replay).
 */
export async function holdDebouncedDelivery(
  db: Pick<Database, 'channelName'>,
  tx: Queryable,
  delivery: DebouncedDelivery,
): Promise<DebounceRow | undefined> {
  const dueAt = new Date(delivery.receivedAt.getTime() + delivery.periodMs);
  const keyText = delivery.debounceKey === '' ? 'the trigger' : `key ${JSON.stringify(delivery.debounceKey)}`;
  const row = await insertDelivery(tx, {
    id: delivery.id,
    trigger_id: delivery.triggerId,
    received_at: delivery.receivedAt,
    outcome: 'debounced',
    http_status: 202,
    reason: `held by the debounce of ${keyText}: one run starts ${formatPeriod(delivery.periodMs)} after the last delivery`,
    delivery_key: delivery.deliveryKey,
    run_id: null,
    body_bytes: delivery.bodyBytes,
  });
  if (!row) return undefined;
  const held = await holdDelivery(tx, {
    trigger_id: delivery.triggerId,
    debounce_key: delivery.debounceKey,
    due_at: dueAt,
    delivery_id: delivery.id,
    received_at: delivery.receivedAt,
    input: delivery.input,
    delivery_key: delivery.deliveryKey,
  });
  await notifyDebounces(tx, db, held.due_at.getTime());
  return held;
}
