import type { UserRole } from './users.ts';
import type { Queryable } from './database.ts';

export interface ApiKey {
  id: string;
  userId: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string | null;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const columns = 'id, user_id, name, prefix, created_at, last_used_at, revoked_at';

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export async function insertApiKey(
  db: Queryable,
  input: { userId: string; name: string | null; prefix: string; hash: string },
): Promise<ApiKey> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (user_id, name, prefix, hash) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
    [input.userId, input.name, input.prefix, input.hash],
  );
  return toApiKey(rows[0]!);
}

export interface KeyHolder {
  keyId: string;
  userId: string;
  role: UserRole;
  lastUsedAt: Date | null;
}

/** The enabled user holding an unrevoked key with this hash, if any. */
export async function findKeyHolder(db: Queryable, hash: string): Promise<KeyHolder | undefined> {
  const { rows } = await db.query<{ id: string; user_id: string; role: UserRole; last_used_at: Date | null }>(
    `SELECT k.id, k.user_id, u.role, k.last_used_at
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [hash],
  );
  const row = rows[0];
  return row && { keyId: row.id, userId: row.user_id, role: row.role, lastUsedAt: row.last_used_at };
}

export async function findApiKey(db: Queryable, id: string): Promise<ApiKey | undefined> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${columns} FROM api_keys WHERE id = $1`, [id]);
  return rows[0] && toApiKey(rows[0]);
}

/** Keys newest first; `userId` restricts to one user's keys. */
export async function listApiKeys(
  db: Queryable,
  filter: { userId?: string | undefined; includeRevoked: boolean; limit: number; offset: number },
): Promise<{ keys: ApiKey[]; total: number }> {
  const where = `WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2 OR revoked_at IS NULL)`;
  const params = [filter.userId ?? null, filter.includeRevoked];
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${columns} FROM api_keys ${where} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
    [...params, filter.limit, filter.offset],
  );
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_keys ${where}`, params);
  return { keys: rows.map(toApiKey), total: count.rows[0]!.n };
}

/** Revokes a key (idempotent: the first revocation time is kept). */
export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKey | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${columns}`,
    [id],
  );
  return rows[0] && toApiKey(rows[0]);
}

/** Records a use, at most once per `throttleSeconds` per key so that reads stay reads. */
export async function touchApiKey(db: Queryable, id: string, throttleSeconds: number): Promise<void> {
  await db.query(
    `UPDATE api_keys SET last_used_at = now()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
    [id, throttleSeconds],
  );
}

/** Whether any enabled user holds an unrevoked key: when none does, loopback servers run in local mode. */
export async function hasActiveApiKeys(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id
                     WHERE k.revoked_at IS NULL AND u.disabled_at IS NULL) AS found`,
  );
  return rows[0]!.found;
}
