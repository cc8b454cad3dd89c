import type { Queryable } from './database.ts';

export interface ReplicaRow {
  id: string;
  roles: string[];
  hostname: string | null;
  pid: number | null;
  started_at: Date;
  heartbeat_at: Date;
  clock_offset_ms: number;
}

/** Registers (or refreshes) this replica with its measured offset to the database clock. */
export async function upsertReplica(
  db: Queryable,
  replica: { id: string; roles: readonly string[]; hostname: string; pid: number; clockOffsetMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO replicas (id, roles, hostname, pid, clock_offset_ms, started_at, heartbeat_at)
     VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp())
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = clock_timestamp(), clock_offset_ms = EXCLUDED.clock_offset_ms`,
    [replica.id, replica.roles, replica.hostname, replica.pid, replica.clockOffsetMs],
  );
}

export async function deleteReplica(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM replicas WHERE id = $1', [id]);
}

/** Forgets replicas silent for longer than `staleMs` (database time). */
export async function deleteStaleReplicas(db: Queryable, staleMs: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM replicas WHERE heartbeat_at < clock_timestamp() - make_interval(secs => $1::float8 / 1000)`,
    [staleMs],
  );
  return rowCount;
}

export async function listReplicas(db: Queryable): Promise<ReplicaRow[]> {
  const { rows } = await db.query<ReplicaRow>('SELECT * FROM replicas ORDER BY started_at');
  return rows;
}
