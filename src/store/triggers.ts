import type { Queryable } from './database.ts';

export type TriggerOverlap = 'skip' | 'queue' | 'allow' | 'cancel_previous';

/** A row of `triggers`. */
export interface TriggerRow {
  id: string;
  owner_id: string;
  name: string;
  target_kind: 'assistant' | 'workflow';
  assistant_id: string | null;
  workflow_id: string | null;
  input_template: unknown;
  auth: Record<string, unknown>;
  delivery_header: string | null;
  overlap: TriggerOverlap;
  max_concurrent: number;
  timeout_ms: number | null;
  rate_limit_max: number | null;
  rate_limit_ms: number | null;
  rate_window_start: Date | null;
  rate_window_count: number;
  /** Deliveries are held this long after the last one of a key, then one run starts; null: no debounce. */
  debounce_ms: number | null;
  /** The debounce key's template over the delivery; null: one key for the whole trigger. */
  debounce_key: string | null;
  enabled: boolean;
  metadata: Record<string, unknown>;
  /** At most `limit` runs per rendered key at once (migration 036; docs/gates.md); null: none. */
  concurrency: { key: string; limit: number; strategy: 'queue' | 'skip' | 'cancel_oldest' } | null;
  /** Its runs' priority, 1 (first) to 5; default 3. */
  priority: number;
  /** A check before each delivery's run (migration 033, docs/gates.md); null: none. */
  precheck: Record<string, unknown> | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The columns a create or an update writes. */
export interface TriggerColumns {
  name: string;
  target_kind: 'assistant' | 'workflow';
  assistant_id: string | null;
  workflow_id: string | null;
  input_template: unknown;
  auth: Record<string, unknown>;
  delivery_header: string | null;
  overlap: TriggerOverlap;
  max_concurrent: number;
  timeout_ms: number | null;
  rate_limit_max: number | null;
  rate_limit_ms: number | null;
  debounce_ms: number | null;
  debounce_key: string | null;
  enabled: boolean;
  metadata: Record<string, unknown>;
  concurrency: { key: string; limit: number; strategy: 'queue' | 'skip' | 'cancel_oldest' } | null;
  priority: number;
  precheck: Record<string, unknown> | null;
}

const jsonColumns = new Set<keyof TriggerColumns>(['input_template', 'auth', 'metadata', 'concurrency', 'precheck']);
const writable: ReadonlyArray<keyof TriggerColumns> = [
  'name',
  'target_kind',
  'assistant_id',
  'workflow_id',
  'input_template',
  'auth',
  'delivery_header',
  'overlap',
  'max_concurrent',
  'timeout_ms',
  'rate_limit_max',
  'rate_limit_ms',
  'debounce_ms',
  'debounce_key',
  'enabled',
  'metadata',
  'concurrency',
  'priority',
  'precheck',
];

const value = (name: keyof TriggerColumns, columns: Partial<TriggerColumns>): unknown => {
  const v = columns[name];
  return jsonColumns.has(name) ? (v === null || v === undefined ? null : JSON.stringify(v)) : v;
};

export async function insertTrigger(db: Queryable, ownerId: string, columns: TriggerColumns): Promise<TriggerRow> {
  const names = writable;
  const { rows } = await db.query<TriggerRow>(
    `INSERT INTO triggers (owner_id, ${names.join(', ')})
     VALUES ($1, ${names.map((name, i) => `$${i + 2}${jsonColumns.has(name) ? '::jsonb' : ''}`).join(', ')})
     RETURNING *`,
    [ownerId, ...names.map((name) => value(name, columns))],
  );
  return rows[0]!;
}

/** Writes the given columns, bumps `version`; undefined when the trigger does not exist. */
export async function updateTrigger(
  db: Queryable,
  id: string,
  columns: Partial<TriggerColumns>,
): Promise<TriggerRow | undefined> {
  const names = writable.filter((name) => columns[name] !== undefined);
  const sets = names.map((name, i) => `${name} = $${i + 2}${jsonColumns.has(name) ? '::jsonb' : ''}`);
  // A changed limit starts a fresh window.
  const resetWindow =
    names.includes('rate_limit_max') || names.includes('rate_limit_ms')
      ? ', rate_window_start = NULL, rate_window_count = 0'
      : '';
  const { rows } = await db.query<TriggerRow>(
    `UPDATE triggers SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}${resetWindow}
     WHERE id = $1 RETURNING *`,
    [id, ...names.map((name) => value(name, columns))],
  );
  return rows[0];
}

export async function findTrigger(db: Queryable, id: string): Promise<TriggerRow | undefined> {
  const { rows } = await db.query<TriggerRow>('SELECT * FROM triggers WHERE id = $1', [id]);
  return rows[0];
}

export async function deleteTrigger(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM triggers WHERE id = $1', [id]);
  return rowCount > 0;
}

export interface TriggerFilter {
  ownerId?: string;
  assistantId?: string;
  workflowId?: string;
  enabled?: boolean;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listTriggers(
  db: Queryable,
  filter: TriggerFilter,
): Promise<{ rows: TriggerRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, v: unknown) => {
    if (v === undefined) return;
    params.push(v);
    where.push(`${column} = $${params.length}`);
  };
  add('owner_id', filter.ownerId);
  add('assistant_id', filter.assistantId);
  add('workflow_id', filter.workflowId);
  add('enabled', filter.enabled);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await db.query<TriggerRow & { total: number }>(
    `SELECT *, (count(*) OVER ())::int AS total FROM triggers ${clause}
     ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/** The outcome of taking one slot of a trigger's rate limit. */
export interface RateSlot {
  allowed: boolean;
  /** Milliseconds until the current window ends (when refused). */
  retryAfterMs: number;
}

/**
 * Takes one slot of the trigger's fixed-window rate limit, atomically on its row, so that every
 * replica shares the same count (the row lock serialises concurrent deliveries of one trigger).
 * A trigger without a limit always allows.
 */
export async function takeRateSlot(db: Queryable, id: string, now: Date): Promise<RateSlot> {
  const { rows } = await db.query<{
    rate_window_start: Date;
    rate_window_count: number;
    rate_limit_max: number;
    rate_limit_ms: number;
  }>(
    `UPDATE triggers SET
       rate_window_start = CASE WHEN rate_window_start IS NULL OR rate_window_start > $2
         OR rate_window_start + rate_limit_ms * interval '1 millisecond' <= $2 THEN $2 ELSE rate_window_start END,
       rate_window_count = CASE WHEN rate_window_start IS NULL OR rate_window_start > $2
         OR rate_window_start + rate_limit_ms * interval '1 millisecond' <= $2 THEN 1 ELSE rate_window_count + 1 END
     WHERE id = $1 AND rate_limit_max IS NOT NULL AND rate_limit_ms IS NOT NULL
     RETURNING rate_window_start, rate_window_count, rate_limit_max, rate_limit_ms`,
    [id, now],
  );
  const row = rows[0];
  if (!row || row.rate_window_count <= row.rate_limit_max) return { allowed: true, retryAfterMs: 0 };
  return {
    allowed: false,
    retryAfterMs: Math.max(0, row.rate_window_start.getTime() + row.rate_limit_ms - now.getTime()),
  };
}
