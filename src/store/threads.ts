import type { Queryable } from './database.ts';

export type ThreadStatus = 'idle' | 'busy' | 'error' | 'interrupted';

/** A conversation: the state persistent sessions carry from one run to the next. */
export interface Thread {
  id: string;
  ownerId: string;
  assistantId: string | null;
  status: ThreadStatus;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface ThreadRow {
  id: string;
  owner_id: string;
  assistant_id: string | null;
  status: ThreadStatus;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

function toThread(row: ThreadRow): Thread {
  return {
    id: row.id,
    ownerId: row.owner_id,
    assistantId: row.assistant_id,
    status: row.status,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewThread {
  id?: string;
  ownerId: string;
  assistantId?: string | null;
  metadata?: Record<string, unknown>;
}

export async function insertThread(db: Queryable, input: NewThread): Promise<Thread> {
  const { rows } = await db.query<ThreadRow>(
    `INSERT INTO threads (id, owner_id, assistant_id, metadata)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4) RETURNING *`,
    [input.id ?? null, input.ownerId, input.assistantId ?? null, JSON.stringify(input.metadata ?? {})],
  );
  return toThread(rows[0]!);
}

export async function findThread(db: Queryable, id: string): Promise<Thread | undefined> {
  const { rows } = await db.query<ThreadRow>('SELECT * FROM threads WHERE id = $1', [id]);
  return rows[0] && toThread(rows[0]);
}

export interface ThreadFilter {
  /** Only this owner's threads; undefined for all (admins). */
  ownerId?: string;
  assistantId?: string;
  status?: ThreadStatus;
  metadata?: Record<string, unknown>;
  /** Only these threads. */
  ids?: readonly string[];
  /** Default: most recently updated first. */
  orderBy?: { column: 'id' | 'status' | 'created_at' | 'updated_at'; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
}

const orderColumns = { id: 'id', status: 'status', created_at: 'created_at', updated_at: 'updated_at' } as const;

/** One page of threads, most recently updated first, and the total that match. */
export async function listThreads(db: Queryable, filter: ThreadFilter): Promise<{ items: Thread[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.ownerId) add((n) => `owner_id = ${n}`, filter.ownerId);
  if (filter.assistantId) add((n) => `assistant_id = ${n}`, filter.assistantId);
  if (filter.status) add((n) => `status = ${n}`, filter.status);
  if (filter.metadata) add((n) => `metadata @> ${n}::jsonb`, JSON.stringify(filter.metadata));
  if (filter.ids) add((n) => `id = ANY(${n}::uuid[])`, filter.ids);
  // Only fixed column names and directions are spliced in.
  const order = filter.orderBy
    ? `${orderColumns[filter.orderBy.column]} ${filter.orderBy.direction === 'asc' ? 'ASC' : 'DESC'}, id`
    : 'updated_at DESC, id';
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const [page, counted] = await Promise.all([
    db.query<ThreadRow>(
      `SELECT * FROM threads ${clause} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM threads ${clause}`, params),
  ]);
  return { items: page.rows.map(toThread), total: counted.rows[0]?.total ?? 0 };
}

export async function setThreadStatus(db: Queryable, id: string, status: ThreadStatus): Promise<void> {
  await db.query('UPDATE threads SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
}

export async function updateThreadMetadata(
  db: Queryable,
  id: string,
  metadata: Record<string, unknown>,
): Promise<Thread | undefined> {
  const { rows } = await db.query<ThreadRow>(
    'UPDATE threads SET metadata = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING *',
    [id, JSON.stringify(metadata)],
  );
  return rows[0] && toThread(rows[0]);
}

/** Deletes a thread with its messages and the schedules bound to it (foreign keys cascade). */
export async function deleteThread(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM threads WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * Binds a persistent schedule to its thread, unless another run bound one first (several
 * replicas can fire the first runs of a schedule at once). Returns the thread the schedule is
 * bound to afterwards: `threadId` if this call won, the other one otherwise, undefined if the
 * schedule is gone.
 */
export async function bindScheduleThread(
  db: Queryable,
  scheduleId: string,
  threadId: string,
): Promise<string | undefined> {
  const bound = await db.query<{ thread_id: string }>(
    `UPDATE schedules SET thread_id = $2
     WHERE id = $1 AND thread_id IS NULL RETURNING thread_id`,
    [scheduleId, threadId],
  );
  if (bound.rows[0]) return bound.rows[0].thread_id;
  const current = await db.query<{ thread_id: string | null }>('SELECT thread_id FROM schedules WHERE id = $1', [
    scheduleId,
  ]);
  return current.rows[0]?.thread_id ?? undefined;
}
