import type { Queryable } from './database.ts';

export const deliveryOutcomes = [
  'accepted',
  'replayed',
  'unauthorized',
  'rate_limited',
  'too_large',
  'invalid',
  'disabled',
  'misconfigured',
  'unavailable',
  'debounced',
] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/** A row of `trigger_deliveries`: one request to a trigger's URL, accepted or refused. */
export interface DeliveryRow {
  id: string;
  trigger_id: string;
  received_at: Date;
  outcome: DeliveryOutcome;
  http_status: number;
  reason: string | null;
  delivery_key: string | null;
  run_id: string | null;
  body_bytes: number;
}

export type NewDelivery = Omit<DeliveryRow, 'id'> & { id?: string };

/**
 * Records a delivery. An `accepted` (or `debounced`) one whose delivery key was already accepted or held conflicts and is
 * not inserted (undefined): the caller answers with the first one's run instead.
 */
export async function insertDelivery(db: Queryable, delivery: NewDelivery): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `INSERT INTO trigger_deliveries (id, trigger_id, received_at, outcome, http_status, reason, delivery_key, run_id, body_bytes)
     VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING
     RETURNING *`,
    [
      delivery.id ?? null,
      delivery.trigger_id,
      delivery.received_at,
      delivery.outcome,
      delivery.http_status,
      delivery.reason,
      delivery.delivery_key,
      delivery.run_id,
      delivery.body_bytes,
    ],
  );
  return rows[0];
}

/** The accepted (or debounced) delivery of a trigger with this delivery key, if any. */
export async function findAcceptedDelivery(
  db: Queryable,
  triggerId: string,
  key: string,
): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT * FROM trigger_deliveries WHERE trigger_id = $1 AND delivery_key = $2 AND outcome IN ('accepted', 'debounced')`,
    [triggerId, key],
  );
  return rows[0];
}

/** Newest first, with the run's status when the delivery made (or replayed) one. */
export async function listDeliveries(
  db: Queryable,
  filter: { triggerId: string; outcome?: DeliveryOutcome; limit: number; offset: number },
): Promise<{ rows: Array<DeliveryRow & { run_status: string | null }>; total: number }> {
  const params: unknown[] = [filter.triggerId];
  let clause = 'WHERE d.trigger_id = $1';
  if (filter.outcome) {
    params.push(filter.outcome);
    clause += ` AND d.outcome = $${params.length}`;
  }
  const { rows } = await db.query<DeliveryRow & { run_status: string | null; total: number }>(
    `SELECT d.*, r.status AS run_status, (count(*) OVER ())::int AS total
     FROM trigger_deliveries d LEFT JOIN runs r ON r.id = d.run_id
     ${clause} ORDER BY d.received_at DESC, d.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/** Deliveries per outcome and the latest delivery time, for each of these triggers. */
export async function deliverySummaries(
  db: Queryable,
  triggerIds: readonly string[],
): Promise<Map<string, { counts: Partial<Record<DeliveryOutcome, number>>; last: Date | null }>> {
  const summaries = new Map<string, { counts: Partial<Record<DeliveryOutcome, number>>; last: Date | null }>();
  if (triggerIds.length === 0) return summaries;
  const { rows } = await db.query<{ trigger_id: string; outcome: DeliveryOutcome; n: number; last: Date }>(
    `SELECT trigger_id, outcome, count(*)::int AS n, max(received_at) AS last
     FROM trigger_deliveries WHERE trigger_id = ANY($1::uuid[]) GROUP BY trigger_id, outcome`,
    [triggerIds],
  );
  for (const row of rows) {
    const summary = summaries.get(row.trigger_id) ?? { counts: {}, last: null };
    summary.counts[row.outcome] = row.n;
    if (!summary.last || row.last > summary.last) summary.last = row.last;
    summaries.set(row.trigger_id, summary);
  }
  return summaries;
}
