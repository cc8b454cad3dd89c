import type { Queryable } from './database.ts';
import type { FailureKind, RunStatus, Trigger } from './run-kinds.ts';

/** A row of `runs`. */
export interface RunRow {
  id: string;
  schedule_id: string | null;
  /** The schedule's name, kept once the schedule is deleted (migration 021); null before. */
  schedule_name?: string | null;
  assistant_id: string | null;
  workflow_id: string | null;
  /** The workflow version the run walks, pinned when it first starts. */
  workflow_version: number | null;
  thread_id: string | null;
  owner_id: string;
  trigger: Trigger;
  scheduled_for: Date | null;
  not_before: Date;
  start_deadline: Date | null;
  run_number: number | null;
  input: unknown;
  status: RunStatus;
  error_kind: FailureKind | null;
  error: string | null;
  output: unknown;
  usage: unknown;
  metadata: Record<string, unknown>;
  attempt: number;
  max_attempts: number;
  retry_of: string | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  cancel_requested: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  /** How late it started past its start deadline, ms (migration 023); null when on time. */
  late_by_ms?: number | null;
  /** Why a pending run is held by a gate (provider limit, concurrency key, budget; migration 032); null otherwise. */
  held_reason?: string | null;
  /** 1 (first) to 5 among runs waiting for slots; 3 by default (migration 036). */
  priority?: number;
  /** The run's concurrency key, its group (`schedule:<id>`, …), limit and strategy (migration 036); null: none. */
  concurrency_key?: string | null;
  concurrency_scope?: string | null;
  concurrency_limit?: number | null;
  concurrency_strategy?: string | null;
  /** Times it was resumed after its worker died, and how many are allowed (migration 023). */
  recoveries?: number;
  max_recoveries?: number;
  timeout_ms: number | null;
  retry_backoff_ms: number;
  retry_backoff_factor: number;
  retry_backoff_max_ms: number;
  ignore_overlap: boolean;
  /** Waits for a free slot of its schedule whatever the overlap policy (backfill runs). */
  waits_for_slot: boolean;
  /** The inbound trigger whose delivery created the run (`trigger: 'event'`). */
  trigger_id: string | null;
  /** The remote session/thread/context id an agent-server assistant used (migration 015). */
  remote_session_id?: string | null;
  /** The run's own LangGraph `config` / `context` (migration 019); null: the schedule's, if any. */
  config?: Record<string, unknown> | null;
  context?: unknown;
  /** What a `waiting` run waits for (migration 024); null otherwise. */
  waiting_for?: Record<string, unknown> | null;
  /** The run this one replays (migration 031); null otherwise. */
  replay_of?: string | null;
}

/** What creating a run needs; the rest takes column defaults. */
export interface NewRun {
  id: string;
  schedule_id: string | null;
  assistant_id: string | null;
  /** A run of a workflow (then `assistant_id` is null). */
  workflow_id?: string | null;
  thread_id: string | null;
  owner_id: string;
  trigger: Trigger;
  scheduled_for: Date | null;
  not_before: Date;
  start_deadline: Date | null;
  run_number: number | null;
  input: unknown;
  metadata: Record<string, unknown>;
  max_attempts: number;
  timeout_ms: number | null;
  retry_backoff_ms: number;
  retry_backoff_factor: number;
  retry_backoff_max_ms: number;
  ignore_overlap: boolean;
  /** Backfill runs with `overlap: "queue"`: wait for a free slot, never skipped; default false. */
  waits_for_slot?: boolean;
  created_at: Date;
  /** The inbound trigger of an `event` run: its overlap policy applies, like a schedule's. */
  trigger_id?: string | null;
  /** Runs created already final (an overlap skip decided at once). */
  status?: RunStatus;
  error_kind?: FailureKind | null;
  error?: string | null;
  /** The run's own LangGraph `config` and `context` (an api run's); absent: none. */
  config?: Record<string, unknown> | null;
  context?: unknown;
  /** 1 (first) to 5; default 3. */
  priority?: number;
  /** A concurrency key with its group, limit and strategy (all four or none). */
  concurrency_scope?: string | null;
  concurrency_key?: string | null;
  concurrency_limit?: number | null;
  concurrency_strategy?: string | null;
  /** A replay: the run it replays, and the workflow version it walks (the replayed run's). */
  replay_of?: string | null;
  workflow_version?: number | null;
}

const columns = [
  ['id', 'uuid'],
  ['schedule_id', 'uuid'],
  ['assistant_id', 'uuid'],
  ['workflow_id', 'uuid'],
  ['thread_id', 'uuid'],
  ['owner_id', 'uuid'],
  ['trigger', 'text'],
  ['scheduled_for', 'timestamptz'],
  ['not_before', 'timestamptz'],
  ['start_deadline', 'timestamptz'],
  ['run_number', 'int4'],
  ['input', 'jsonb'],
  ['metadata', 'jsonb'],
  ['max_attempts', 'int4'],
  ['timeout_ms', 'int4'],
  ['retry_backoff_ms', 'int4'],
  ['retry_backoff_factor', 'float8'],
  ['retry_backoff_max_ms', 'int4'],
  ['ignore_overlap', 'bool'],
  ['waits_for_slot', 'bool'],
  ['created_at', 'timestamptz'],
  ['status', 'text'],
  ['error_kind', 'text'],
  ['error', 'text'],
  ['trigger_id', 'uuid'],
  ['config', 'jsonb'],
  ['context', 'jsonb'],
  ['replay_of', 'uuid'],
  ['workflow_version', 'int4'],
  ['priority', 'int2'],
  ['concurrency_scope', 'text'],
  ['concurrency_key', 'text'],
  ['concurrency_limit', 'int4'],
  ['concurrency_strategy', 'text'],
] as const;

function columnValue(run: NewRun, name: (typeof columns)[number][0]): unknown {
  switch (name) {
    case 'input':
      return run.input === undefined ? null : JSON.stringify(run.input);
    case 'metadata':
      return JSON.stringify(run.metadata);
    case 'config':
      return run.config == null ? null : JSON.stringify(run.config);
    case 'context':
      return run.context === undefined || run.context === null ? null : JSON.stringify(run.context);
    case 'status':
      return run.status ?? 'pending';
    case 'error_kind':
      return run.error_kind ?? null;
    case 'error':
      return run.error ?? null;
    case 'trigger_id':
      return run.trigger_id ?? null;
    case 'workflow_id':
      return run.workflow_id ?? null;
    case 'waits_for_slot':
      return run.waits_for_slot ?? false;
    case 'replay_of':
      return run.replay_of ?? null;
    case 'workflow_version':
      return run.workflow_version ?? null;
    case 'priority':
      return run.priority ?? 3;
    case 'concurrency_scope':
    case 'concurrency_key':
    case 'concurrency_limit':
    case 'concurrency_strategy':
      return run[name] ?? null;
    default:
      return run[name];
  }
}

/** A run as insertRuns created it. */
export type InsertedRun = Pick<RunRow, 'id' | 'schedule_id' | 'not_before' | 'status'>;

/**
 * Inserts many runs in one statement (`unnest` of one array per column). Scheduled occurrences
 * that already have a run are left alone (`ON CONFLICT DO NOTHING` on the occurrence key).
 * Returns the rows actually inserted.
 */
export async function insertRuns(db: Queryable, runs: readonly NewRun[]): Promise<InsertedRun[]> {
  if (runs.length === 0) return [];
  const params = columns.map(([name]) => runs.map((run) => columnValue(run, name)));
  const unnest = columns.map(([, type], i) => `$${i + 1}::${type === 'jsonb' ? 'text' : type}[]`).join(', ');
  const select = columns.map(([name, type]) => (type === 'jsonb' ? `${name}::jsonb` : name)).join(', ');
  const { rows } = await db.query<InsertedRun>(
    `INSERT INTO runs (${columns.map(([name]) => name).join(', ')}, finished_at)
     SELECT ${select}, CASE WHEN status = 'pending' THEN NULL ELSE created_at END
     FROM unnest(${unnest}) AS u(${columns.map(([name]) => name).join(', ')})
     ON CONFLICT DO NOTHING
     RETURNING id, schedule_id, not_before, status`,
    params,
  );
  return rows;
}

export async function findRun(db: Queryable, id: string): Promise<RunRow | undefined> {
  const { rows } = await db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
  return rows[0];
}

export interface RunFilter {
  ownerId?: string;
  scheduleId?: string;
  assistantId?: string;
  workflowId?: string;
  threadId?: string;
  status?: RunStatus;
  trigger?: Trigger;
  /** created_at at or after this instant. */
  createdFrom?: Date;
  /** created_at before this instant. */
  createdBefore?: Date;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listRuns(db: Queryable, filter: RunFilter): Promise<{ rows: RunRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: unknown, operator = '=') => {
    if (value === undefined) return;
    params.push(value);
    where.push(`${column} ${operator} $${params.length}`);
  };
  add('owner_id', filter.ownerId);
  add('schedule_id', filter.scheduleId);
  add('assistant_id', filter.assistantId);
  add('workflow_id', filter.workflowId);
  add('thread_id', filter.threadId);
  add('status', filter.status);
  add('trigger', filter.trigger);
  add('created_at', filter.createdFrom, '>=');
  add('created_at', filter.createdBefore, '<');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The page and the total apart: a window count would read and sort every match to return 50
  // (the page walks runs_created_idx instead; the count reads no row data).
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM runs ${clause}
     ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  const { rows: counted } = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM runs ${clause}`,
    params,
  );
  return { rows, total: counted[0]?.total ?? 0 };
}

/**
 * Cancels a pending or waiting run at once (a waiting run's open wait is closed: no decision or
 * event resumes it); marks a running one `cancel_requested` (its worker aborts it).
 */
export async function cancelRun(db: Queryable, id: string, now: Date): Promise<RunRow | undefined> {
  await db.query(
    `UPDATE waits SET resolution = 'cancelled', resolved_at = $2
     WHERE run_id = $1 AND resolved_at IS NULL AND EXISTS (SELECT 1 FROM runs WHERE id = $1 AND status = 'waiting')`,
    [id, now],
  );
  const { rows } = await db.query<RunRow>(
    `UPDATE runs SET
       status = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE status END,
       error_kind = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE error_kind END,
       error = CASE WHEN status = 'pending' THEN 'cancelled before it started'
                    WHEN status = 'waiting' THEN 'cancelled while it waited' ELSE error END,
       finished_at = CASE WHEN status IN ('pending', 'waiting') THEN $2 ELSE finished_at END,
       waiting_for = NULL,
       cancel_requested = (status = 'running')
     WHERE id = $1 AND status IN ('pending', 'running', 'waiting')
     RETURNING *`,
    [id, now],
  );
  return rows[0];
}
