import { advisoryXactLock } from './advisory-lock.ts';
import type { Queryable } from './database.ts';
import type { StoredBudget } from './budgets.ts';

export type ScheduleKind = 'cron' | 'once' | 'interval';
export type OverlapPolicy = 'skip' | 'queue' | 'allow' | 'cancel_previous';
export type MisfirePolicy = 'skip' | 'run_once' | 'run_all';
export type ScheduleSource = 'api' | 'config' | 'apply';

/** A row of `schedules`, as the driver returns it (timestamptz as Date, int8 as number). */
export interface ScheduleRow {
  id: string;
  owner_id: string;
  name: string;
  target_kind: 'assistant' | 'workflow';
  assistant_id: string | null;
  workflow_id: string | null;
  thread_id: string | null;
  kind: ScheduleKind;
  cron: string | null;
  at: Date | null;
  every_ms: number | null;
  anchor_at: Date | null;
  timezone: string;
  start_at: Date | null;
  end_at: Date | null;
  max_runs: number | null;
  input_template: unknown;
  config: Record<string, unknown>;
  metadata: Record<string, unknown>;
  session_mode: 'new' | 'persistent';
  on_run_completed: 'delete' | 'keep';
  max_concurrent: number;
  overlap: OverlapPolicy;
  timeout_ms: number | null;
  retry_max_attempts: number;
  retry_backoff_ms: number;
  retry_backoff_factor: number;
  retry_backoff_max_ms: number;
  misfire: MisfirePolicy;
  catchup_window_ms: number;
  jitter_ms: number;
  alert_after: number;
  alert_on_tokens_per_day: number | null;
  /** Token and dollar limits (migration 034, src/runs/budget.ts); null: none. */
  budget: StoredBudget | null;
  webhook: string | null;
  on_waiting: string | null;
  /** At most `limit` runs per rendered key at once (migration 036; docs/gates.md); null: no key. */
  concurrency: { key: string; limit: number; strategy: 'queue' | 'skip' | 'cancel_oldest' } | null;
  /** Its runs' priority, 1 (first) to 5; default 3 (migration 036). */
  priority: number;
  enabled: boolean;
  completed_at: Date | null;
  next_run_at: Date | null;
  run_count: number;
  occurrence_count: number;
  last_scheduled_for: Date | null;
  missed_count: number;
  /** DST policy keys (migration 009); null keeps the Vixie rule for the job. */
  dst_repeated: 'first' | 'last' | 'both' | null;
  dst_skipped: 'shift' | 'skip' | null;
  /** Wall-clock dates (YYYY-MM-DD, in `timezone`) whose occurrences are skipped, sorted. */
  exclude_dates: string[];
  /** Occurrences skipped because of `exclude_dates` so far. */
  excluded_count: number;
  consecutive_failures: number;
  alerted_streak: boolean;
  last_run_at: Date | null;
  last_run_status: string | null;
  version: number;
  /** Who manages it: `api`, `config` (declared in the config file) or `apply` (upserted by name). */
  source: ScheduleSource;
  /** Why a managed schedule differs from its declaration (e.g. paused: removed from the config file). */
  source_note: string | null;
  /** Who created it when not its owner by hand: `{"kind":"agent","run_id","assistant_id"}` (migration 013). */
  created_by: ScheduleCreator | null;
  created_at: Date;
  updated_at: Date;
  /** When the schedule was last paused (null while enabled). */
  paused_at: Date | null;
  /** Who paused it; null for an automatic pause (pause_after_failures). */
  paused_by: string | null;
  /** Why it was paused (the operator's note, or the automatic reason). */
  pause_note: string | null;
  /** Pause the schedule when its failure streak reaches this many runs; null = never. */
  pause_after_failures: number | null;
  /** Waiting runs count toward max_concurrent and the overlap policy (migration 024). */
  overlap_counts_waiting: boolean;
  /** A check before each fire (migration 033, docs/gates.md); null: none. */
  precheck: Record<string, unknown> | null;
  /** The previous precheck's response body. */
  last_precheck?: unknown;
  /** Alert when this many occurrences in a row ended without starting (migration 033); null: never. */
  alert_on_skips: number | null;
  /** When the skip alert last fired (once per streak). */
  skip_alerted_at?: Date | null;
}

/** A schedule an llm assistant created with the scheduler tools during one of its runs. */
export interface ScheduleCreator {
  kind: 'agent';
  run_id: string;
  assistant_id: string;
}

/** The columns a caller sets (everything else is engine state). */
export type ScheduleFields = Pick<
  ScheduleRow,
  | 'name'
  | 'target_kind'
  | 'assistant_id'
  | 'workflow_id'
  | 'thread_id'
  | 'kind'
  | 'cron'
  | 'at'
  | 'every_ms'
  | 'anchor_at'
  | 'timezone'
  | 'start_at'
  | 'end_at'
  | 'max_runs'
  | 'input_template'
  | 'metadata'
  | 'session_mode'
  | 'on_run_completed'
  | 'max_concurrent'
  | 'overlap'
  | 'timeout_ms'
  | 'retry_max_attempts'
  | 'retry_backoff_ms'
  | 'retry_backoff_factor'
  | 'retry_backoff_max_ms'
  | 'misfire'
  | 'catchup_window_ms'
  | 'jitter_ms'
  | 'alert_after'
  | 'alert_on_tokens_per_day'
  | 'budget'
  | 'webhook'
  | 'on_waiting'
  | 'concurrency'
  | 'priority'
  | 'enabled'
  | 'pause_after_failures'
  | 'overlap_counts_waiting'
  | 'dst_repeated'
  | 'dst_skipped'
  | 'exclude_dates'
  | 'precheck'
  | 'alert_on_skips'
>;

export type NewSchedule = ScheduleFields & {
  id: string;
  owner_id: string;
  next_run_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  source?: ScheduleSource;
  created_by?: ScheduleCreator | null;
};

const jsonColumns = new Set(['input_template', 'metadata', 'created_by', 'budget', 'concurrency', 'precheck']);

function encode(column: string, value: unknown): unknown {
  if (jsonColumns.has(column)) return value === null || value === undefined ? null : JSON.stringify(value);
  return value;
}

export async function insertSchedule(db: Queryable, schedule: NewSchedule): Promise<ScheduleRow> {
  const columns = Object.keys(schedule);
  const values = columns.map((column) => encode(column, schedule[column as keyof NewSchedule]));
  const { rows } = await db.query<ScheduleRow>(
    `INSERT INTO schedules (${columns.join(', ')}, updated_at)
     VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}, $${columns.length + 1}) RETURNING *`,
    [...values, schedule.created_at],
  );
  return rows[0]!;
}

export async function findSchedule(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ScheduleRow | undefined> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT * FROM schedules WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** The schedule an owner has under this name (names are unique per owner). */
export async function findScheduleByName(
  db: Queryable,
  ownerId: string,
  name: string,
  options: { forUpdate?: boolean } = {},
): Promise<ScheduleRow | undefined> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT * FROM schedules WHERE owner_id = $1 AND name = $2${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [ownerId, name],
  );
  return rows[0];
}

/** An owner's schedules managed by the config file, by name. */
export async function listConfigSchedules(db: Queryable, ownerId: string): Promise<ScheduleRow[]> {
  const { rows } = await db.query<ScheduleRow>(
    "SELECT * FROM schedules WHERE owner_id = $1 AND source = 'config' ORDER BY name",
    [ownerId],
  );
  return rows;
}

export type ScheduleState = 'active' | 'paused' | 'completed';

/** A keyset position: the created_at (microseconds since the epoch, as text) and id of the last row read. */
export interface ScheduleCursor {
  createdUs: string;
  id: string;
}

/** A list order other than the default (newest first); columns are a fixed list, never user text. */
export interface ScheduleOrder {
  column:
    | 'id'
    | 'assistant_id'
    | 'thread_id'
    | 'created_at'
    | 'updated_at'
    | 'next_run_at'
    | 'name'
    | 'last_run_at'
    | 'consecutive_failures';
  direction: 'asc' | 'desc';
}

export interface ScheduleFilter {
  ownerId?: string;
  assistantId?: string;
  workflowId?: string;
  /** An assistant id or a graph id: schedules of that assistant, or of any assistant of the graph. */
  assistantRef?: string;
  threadId?: string;
  state?: ScheduleState;
  enabled?: boolean;
  /** Case-insensitive part of the name. */
  nameContains?: string;
  /** Case-insensitive part of the name or of the cron expression. */
  search?: string;
  /** Only those whose consecutive failures reached their alert threshold. */
  failing?: boolean;
  /** Only these ids. */
  ids?: string[];
  /** Every key equals (jsonb containment per key). */
  metadata?: Record<string, unknown>;
  /** Only rows after this one in the default order. */
  after?: ScheduleCursor;
  orderBy?: ScheduleOrder;
  limit: number;
  offset: number;
}

const orderColumns = new Set<ScheduleOrder['column']>([
  'id',
  'assistant_id',
  'thread_id',
  'created_at',
  'updated_at',
  'next_run_at',
  'name',
  'last_run_at',
  'consecutive_failures',
]);

/**
 * A page of schedules, newest first (`created_at DESC, id`) unless `orderBy`. Rows carry
 * `created_us` (their created_at in microseconds, as text) to build a keyset cursor.
 */
export async function listSchedules(
  db: Queryable,
  filter: ScheduleFilter,
): Promise<{ rows: Array<ScheduleRow & { created_us: string }>; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let text = sql;
    for (const value of values) {
      params.push(value);
      text = text.replace('?', `$${params.length}`);
    }
    where.push(text);
  };
  if (filter.ownerId) add('owner_id = ?', filter.ownerId);
  if (filter.assistantId) add('assistant_id = ?', filter.assistantId);
  if (filter.workflowId) add('workflow_id = ?', filter.workflowId);
  if (filter.assistantRef)
    add(
      'assistant_id IN (SELECT id FROM assistants WHERE id::text = ? OR graph_id = ?)',
      filter.assistantRef,
      filter.assistantRef,
    );
  if (filter.threadId) add('thread_id = ?', filter.threadId);
  if (filter.state === 'completed') where.push('completed_at IS NOT NULL');
  if (filter.state === 'paused') where.push('completed_at IS NULL AND NOT enabled');
  if (filter.state === 'active') where.push('completed_at IS NULL AND enabled');
  if (filter.enabled !== undefined) add('enabled = ?', filter.enabled);
  if (filter.nameContains)
    add(
      "name ILIKE '%' || ? || '%' ESCAPE '\\'",
      filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`),
    );
  if (filter.search) {
    const pattern = filter.search.replace(/[\\%_]/g, (c) => `\\${c}`);
    add("(name ILIKE '%' || ? || '%' ESCAPE '\\' OR cron ILIKE '%' || ? || '%' ESCAPE '\\')", pattern, pattern);
  }
  if (filter.failing) where.push('consecutive_failures >= alert_after');
  if (filter.ids) add('id = ANY(?::uuid[])', filter.ids);
  for (const [key, value] of Object.entries(filter.metadata ?? {}))
    add('metadata -> ?::text = ?::jsonb', key, JSON.stringify(value));
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const whereParams = params.length;
  let keyset = '';
  if (filter.after) {
    params.push(filter.after.createdUs, filter.after.id);
    const at = `'epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond'`;
    keyset = `WHERE (created_at < ${at} OR (created_at = ${at} AND id > $${params.length}::uuid))`;
  }
  let order = 'created_at DESC, id';
  if (filter.orderBy && orderColumns.has(filter.orderBy.column)) {
    const direction = filter.orderBy.direction === 'asc' ? 'ASC' : 'DESC';
    order = `${filter.orderBy.column} ${direction} NULLS LAST, id ${direction}`;
  }
  // The page and the total apart: a window count (`count(*) OVER ()`) would read and sort every
  // match to return 50; the page walks an index in its order, and the total counts every match of
  // the filters (a cursor only moves the page) without reading the rows' data.
  const keysetClause = keyset ? (clause ? `${clause} AND ${keyset.slice('WHERE '.length)}` : keyset) : clause;
  const [{ rows }, { rows: counted }] = await Promise.all([
    db.query<ScheduleRow & { created_us: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us
       FROM schedules ${keysetClause}
       ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM schedules ${clause}`, params.slice(0, whereParams)),
  ]);
  return { rows, total: counted[0]?.total ?? 0 };
}

/** Sets the given columns, bumps `version` and `updated_at`. */
export async function updateScheduleColumns(
  db: Queryable,
  id: string,
  changes: Partial<
    ScheduleFields &
      Pick<
        ScheduleRow,
        | 'next_run_at'
        | 'completed_at'
        | 'consecutive_failures'
        | 'alerted_streak'
        | 'source'
        | 'source_note'
        | 'paused_at'
        | 'paused_by'
        | 'pause_note'
      >
  >,
  now: Date,
): Promise<ScheduleRow | undefined> {
  const columns = Object.keys(changes);
  const sets = columns.map((column, i) => `${column} = $${i + 2}`);
  const values = columns.map((column) => encode(column, changes[column as keyof typeof changes]));
  const { rows } = await db.query<ScheduleRow>(
    `UPDATE schedules SET ${[...sets, `version = version + 1`, `updated_at = $${columns.length + 2}`].join(', ')}
     WHERE id = $1 RETURNING *`,
    [id, ...values, now],
  );
  return rows[0];
}

/**
 * Deletes a schedule; its runs keep their history (`ON DELETE SET NULL`). The runs are locked
 * first, in id order, then the schedule: the order a finishing run takes (its row, then its
 * schedule's counters), so a delete and a finish wait for each other instead of deadlocking.
 */
export async function deleteSchedule(db: Queryable, id: string): Promise<boolean> {
  await db.query('SELECT 1 FROM runs WHERE schedule_id = $1 ORDER BY id FOR UPDATE', [id]);
  const { rowCount } = await db.query('DELETE FROM schedules WHERE id = $1', [id]);
  return rowCount > 0;
}

export async function countSchedulesOwnedBy(db: Queryable, ownerId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schedules WHERE owner_id = $1', [
    ownerId,
  ]);
  return rows[0]?.n ?? 0;
}

/** The earliest next fire time of any enabled schedule, for the scheduler's sleep. */
export async function earliestNextRunAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>('SELECT min(next_run_at) AS at FROM schedules WHERE enabled');
  return rows[0]?.at ?? null;
}

/** Reserves `count` run numbers for a schedule (manual triggers); returns the first. Locks the row. */
export async function reserveRunNumbers(db: Queryable, id: string, count: number): Promise<number | undefined> {
  const { rows } = await db.query<{ run_count: number }>(
    'UPDATE schedules SET run_count = run_count + $2 WHERE id = $1 RETURNING run_count',
    [id, count],
  );
  const last = rows[0]?.run_count;
  return last === undefined ? undefined : last - count + 1;
}

/** The `config` column: not one of the spec's columns, so written on its own. */
export async function setScheduleConfig(
  db: Queryable,
  id: string,
  config: Record<string, unknown>,
): Promise<ScheduleRow> {
  const { rows } = await db.query<ScheduleRow>('UPDATE schedules SET config = $2::jsonb WHERE id = $1 RETURNING *', [
    id,
    JSON.stringify(config),
  ]);
  return rows[0]!;
}

/**
 * Serialises creates (and ensures) per owner until the transaction ends, so that concurrent
 * creates cannot pass the schedule cap together. `schema` keeps tenants of one server apart.
 */
export async function lockScheduleOwner(tx: Queryable, schema: string, ownerId: string): Promise<void> {
  await advisoryXactLock(tx, `${schema}:schedule-owner:${ownerId}`);
}

/** The name and zone of a run's schedule, for templates that use them. */
export async function findScheduleLabel(
  db: Queryable,
  id: string,
): Promise<{ id: string; name: string; timezone: string } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; timezone: string }>(
    'SELECT id, name, timezone FROM schedules WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** How many schedules run on a thread (they go with it when it is deleted). */
export async function countSchedulesOnThread(db: Queryable, threadId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM schedules WHERE thread_id = $1',
    [threadId],
  );
  return rows[0]?.count ?? 0;
}
