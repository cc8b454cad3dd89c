import type { Queryable } from './database.ts';

/**
 * Model providers (migration 035): a base URL, a key reference and limits shared by every
 * assistant that names the provider, across every replica. The sliding window of requests and
 * tokens is `provider_calls`; the statements that read and write it are below.
 */
export interface Provider {
  id: string;
  ownerId: string;
  name: string;
  baseUrl: string;
  /** The key as an environment reference (`{"env": NAME}`); the value is read at call time only. */
  apiKey: { env: string } | null;
  /** Requests in any 60 seconds; null: no limit. */
  rpm: number | null;
  /** Tokens in any 60 seconds; null: no limit. */
  tpm: number | null;
  /** Runs at once of the assistants that name it; null: no limit. */
  maxConcurrent: number | null;
  /** Set by a 429 (or a 503 with Retry-After): no request or run starts before then. */
  pausedUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface ProviderRow {
  id: string;
  owner_id: string;
  name: string;
  base_url: string;
  api_key: { env: string } | null;
  rpm: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  paused_until: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toProvider(row: ProviderRow): Provider {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    baseUrl: row.base_url,
    apiKey: row.api_key,
    rpm: row.rpm,
    tpm: row.tpm,
    maxConcurrent: row.max_concurrent,
    pausedUntil: row.paused_until,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewProvider {
  ownerId: string;
  name: string;
  baseUrl: string;
  apiKey: { env: string } | null;
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
}

/** Inserts a provider; undefined when the owner already has one of that name. */
export async function insertProvider(db: Queryable, input: NewProvider): Promise<Provider | undefined> {
  const { rows } = await db.query<ProviderRow>(
    `INSERT INTO providers (owner_id, name, base_url, api_key, rpm, tpm, max_concurrent)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
     ON CONFLICT (owner_id, name) DO NOTHING RETURNING *`,
    [
      input.ownerId,
      input.name,
      input.baseUrl,
      input.apiKey === null ? null : JSON.stringify(input.apiKey),
      input.rpm,
      input.tpm,
      input.maxConcurrent,
    ],
  );
  return rows[0] && toProvider(rows[0]);
}

export async function findProvider(db: Queryable, id: string): Promise<Provider | undefined> {
  const { rows } = await db.query<ProviderRow>('SELECT * FROM providers WHERE id = $1', [id]);
  return rows[0] && toProvider(rows[0]);
}

export async function findProviderByName(db: Queryable, ownerId: string, name: string): Promise<Provider | undefined> {
  const { rows } = await db.query<ProviderRow>('SELECT * FROM providers WHERE owner_id = $1 AND name = $2', [
    ownerId,
    name,
  ]);
  return rows[0] && toProvider(rows[0]);
}

/** One page of providers (one owner's, or all), by name, and the total. */
export async function listProviders(
  db: Queryable,
  ownerId: string | null,
  page: { limit: number; offset: number },
): Promise<{ items: Provider[]; total: number }> {
  const { rows } = await db.query<ProviderRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM providers WHERE ($1::uuid IS NULL OR owner_id = $1)
     ORDER BY name, created_at LIMIT $2 OFFSET $3`,
    [ownerId, page.limit, page.offset],
  );
  return { items: rows.map(toProvider), total: rows[0]?.total ?? 0 };
}

export interface ProviderChanges {
  name?: string;
  baseUrl?: string;
  apiKey?: { env: string } | null;
  rpm?: number | null;
  tpm?: number | null;
  maxConcurrent?: number | null;
}

/** Applies the changes (a rename follows into the assistants that name it); undefined if gone, `conflict` if the name is taken. */
export async function updateProvider(
  db: Queryable,
  id: string,
  changes: ProviderChanges,
): Promise<Provider | 'conflict' | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.baseUrl !== undefined) set('base_url', changes.baseUrl);
  if (changes.apiKey !== undefined)
    set('api_key', changes.apiKey === null ? null : JSON.stringify(changes.apiKey), '::jsonb');
  if (changes.rpm !== undefined) set('rpm', changes.rpm);
  if (changes.tpm !== undefined) set('tpm', changes.tpm);
  if (changes.maxConcurrent !== undefined) set('max_concurrent', changes.maxConcurrent);
  if (changes.name !== undefined) {
    const { rows } = await db.query<{ taken: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM providers o JOIN providers p ON p.id = $1
         WHERE o.owner_id = p.owner_id AND o.name = $2 AND o.id <> p.id) AS taken`,
      [id, changes.name],
    );
    if (rows[0]?.taken) return 'conflict';
  }
  const { rows } = await db.query<ProviderRow>(
    `UPDATE providers SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
     WHERE id = $1 RETURNING *`,
    params,
  );
  return rows[0] && toProvider(rows[0]);
}

/** The assistants that name a provider (locked, so that none starts naming it during a delete). */
export async function assistantsNamingProvider(
  db: Queryable,
  provider: Pick<Provider, 'ownerId' | 'name'>,
): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await db.query<{ id: string; name: string }>(
    'SELECT id, name FROM assistants WHERE owner_id = $1 AND provider = $2 ORDER BY name FOR UPDATE',
    [provider.ownerId, provider.name],
  );
  return rows;
}

export async function deleteProvider(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM providers WHERE id = $1', [id]);
  return rowCount > 0;
}

/** What a provider has used: requests and tokens in the window, and its assistants' running runs. */
export interface ProviderUsage {
  id: string;
  requests: number;
  tokens: number;
  running: number;
}

export async function providerUsage(
  db: Queryable,
  ids: readonly string[],
  windowStart: Date,
): Promise<ProviderUsage[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ProviderUsage>(
    `SELECT p.id,
       (SELECT count(*) FROM provider_calls c WHERE c.provider_id = p.id AND c.at > $2)::int AS requests,
       (SELECT coalesce(sum(c.tokens), 0) FROM provider_calls c WHERE c.provider_id = p.id AND c.at > $2)::int AS tokens,
       (SELECT count(*) FROM runs r JOIN assistants a ON a.id = r.assistant_id
         WHERE a.owner_id = p.owner_id AND a.provider = p.name AND r.status = 'running')::int AS running
     FROM providers p WHERE p.id = ANY($1::uuid[])`,
    [ids, windowStart],
  );
  return rows;
}

/** The answer of {@link reserveProviderCall}: the call's row, or when to ask again. */
export type Reservation = { callId: string } | { retryAt: Date };

/**
 * Reserves one request of `tokens` (estimated) in a provider's window, under its transaction
 * lock (`lockKey`, the claim's per-provider lock too): admitted while the provider is not paused,
 * fewer than `rpm` requests are in the window and the tokens fit under `tpm` (an empty window
 * admits any one request). Otherwise says when the window may admit it. Call in a transaction.
 */
export async function reserveProviderCall(
  tx: Queryable,
  options: { providerId: string; lockKey: string; now: Date; windowStart: Date; tokens: number },
): Promise<Reservation> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [options.lockKey]);
  const { rows } = await tx.query<{
    call_id: string | null;
    paused_until: Date | null;
    rpm_at: Date | null;
    oldest: Date | null;
    rpm_full: boolean;
  }>(
    `WITH p AS (SELECT rpm, tpm, paused_until FROM providers WHERE id = $1),
       w AS (SELECT count(*)::int AS n, coalesce(sum(tokens), 0)::bigint AS t, min(at) AS oldest
             FROM provider_calls WHERE provider_id = $1 AND at > $3),
       d AS (DELETE FROM provider_calls WHERE provider_id = $1 AND at <= $3),
       ok AS (SELECT (p.paused_until IS NULL OR p.paused_until <= $2)
                AND (p.rpm IS NULL OR w.n < p.rpm)
                AND (p.tpm IS NULL OR w.t = 0 OR w.t + $4 <= p.tpm) AS admit,
                p.rpm IS NOT NULL AND w.n >= p.rpm AS rpm_full
              FROM p, w),
       ins AS (INSERT INTO provider_calls (provider_id, at, tokens) SELECT $1, $2, $4 FROM ok WHERE ok.admit RETURNING id)
     SELECT (SELECT id::text FROM ins) AS call_id, p.paused_until, w.oldest, ok.rpm_full,
       (SELECT c.at FROM provider_calls c WHERE c.provider_id = $1 AND c.at > $3
         ORDER BY c.at DESC OFFSET greatest(coalesce(p.rpm, 1) - 1, 0) LIMIT 1) AS rpm_at
     FROM p, w, ok`,
    [options.providerId, options.now, options.windowStart, options.tokens],
  );
  const row = rows[0];
  if (!row) return { retryAt: new Date(options.now.getTime() + 1000) };
  if (row.call_id) return { callId: row.call_id };
  const windowMs = options.now.getTime() - options.windowStart.getTime();
  if (row.paused_until && row.paused_until > options.now) return { retryAt: row.paused_until };
  const leaves = row.rpm_full ? row.rpm_at : row.oldest;
  return { retryAt: new Date((leaves ?? options.now).getTime() + windowMs + 1) };
}

/** Records the tokens a call really used (its answer's `usage`). */
export async function settleProviderCall(db: Queryable, callId: string, tokens: number): Promise<void> {
  await db.query('UPDATE provider_calls SET tokens = $2 WHERE id = $1', [callId, tokens]);
}

/** Records one request per started run (kinds other than llm make one call per run), in the claim. */
export async function recordProviderStarts(tx: Queryable, providerIds: readonly string[], at: Date): Promise<void> {
  if (providerIds.length === 0) return;
  await tx.query('INSERT INTO provider_calls (provider_id, at) SELECT unnest($1::uuid[]), $2', [providerIds, at]);
}

/** Pauses a provider until `until` (never shortens a pause already longer). */
export async function pauseProvider(db: Queryable, id: string, until: Date): Promise<void> {
  await db.query(
    `UPDATE providers SET paused_until = CASE WHEN paused_until > $2 THEN paused_until ELSE $2 END WHERE id = $1`,
    [id, until],
  );
}
