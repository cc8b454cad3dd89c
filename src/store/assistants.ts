import type { Queryable } from './database.ts';
import type { StoredBudget } from './budgets.ts';

/** The kinds of assistant; one list for the database check, the API schemas and the types. */
export const assistantKinds = ['http', 'llm', 'module', 'agentos', 'langgraph', 'a2a'] as const;
export type AssistantKind = (typeof assistantKinds)[number];

/** A stored assistant as the runtimes see it. */
export interface Assistant {
  id: string;
  ownerId: string;
  name: string;
  kind: AssistantKind;
  config: Record<string, unknown>;
  status: 'active' | 'inactive';
  graphId: string | null;
  description: string | null;
  /** Shipped with Kairos (e.g. `kairos-digest`): owned by the local admin, usable by everyone. */
  builtIn: boolean;
  metadata: Record<string, unknown>;
  /** At most this many of its runs at once, across all replicas (the provider's concurrency); null: no limit. */
  maxConcurrent: number | null;
  /** At most this many of its runs started in any 60 seconds (the provider's requests per minute); null: no limit. */
  rateLimit: number | null;
  /** Token and dollar limits on its runs (docs/gates.md "Budgets"); null or absent: none. */
  budget?: StoredBudget | null;
  /** The provider (of its owner) it names: its limits apply, and an llm assistant takes its base URL and key. */
  provider?: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface AssistantRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  kind: Assistant['kind'];
  config: Record<string, unknown>;
  status: Assistant['status'];
  graph_id: string | null;
  built_in: boolean;
  metadata: Record<string, unknown>;
  max_concurrent: number | null;
  rate_limit: number | null;
  budget?: StoredBudget | null;
  provider?: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toAssistant(row: AssistantRow): Assistant {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    config: row.config,
    status: row.status,
    graphId: row.graph_id,
    builtIn: row.built_in,
    metadata: row.metadata,
    maxConcurrent: row.max_concurrent,
    rateLimit: row.rate_limit,
    budget: row.budget ?? null,
    provider: row.provider ?? null,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * An `assistants` row read loosely (`SELECT *` or `row_to_json`, whose timestamps are strings)
 * as an Assistant: the one parser for rows read alongside something else (a claimed run, a
 * workflow's steps).
 */
export function assistantFromRow(a: Record<string, unknown>): Assistant {
  return toAssistant({
    ...(a as unknown as AssistantRow),
    description: (a.description as string | null | undefined) ?? null,
    graph_id: (a.graph_id as string | null | undefined) ?? null,
    built_in: Boolean(a.built_in),
    metadata: (a.metadata as Record<string, unknown> | null | undefined) ?? {},
    version: Number(a.version),
    created_at: new Date(a.created_at as string | Date),
    updated_at: new Date(a.updated_at as string | Date),
  });
}

export interface NewAssistant {
  /** A fixed id (built-ins); generated otherwise. */
  id?: string;
  ownerId: string;
  name: string;
  kind: Assistant['kind'];
  config?: Record<string, unknown>;
  status?: Assistant['status'];
  graphId?: string | null;
  description?: string | null;
  metadata?: Record<string, unknown>;
  builtIn?: boolean;
  maxConcurrent?: number | null;
  rateLimit?: number | null;
  budget?: StoredBudget | null;
  provider?: string | null;
}

export async function insertAssistant(db: Queryable, input: NewAssistant): Promise<Assistant> {
  const { rows } = await db.query<AssistantRow>(
    `INSERT INTO assistants (id, owner_id, name, kind, config, status, graph_id, description, metadata, built_in, max_concurrent, rate_limit, budget, provider)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14) RETURNING *`,
    [
      input.id ?? null,
      input.ownerId,
      input.name,
      input.kind,
      JSON.stringify(input.config ?? {}),
      input.status ?? 'active',
      input.graphId ?? null,
      input.description ?? null,
      JSON.stringify(input.metadata ?? {}),
      input.builtIn ?? false,
      input.maxConcurrent ?? null,
      input.rateLimit ?? null,
      input.budget ? JSON.stringify(input.budget) : null,
      input.provider ?? null,
    ],
  );
  return toAssistant(rows[0]!);
}

export async function findAssistant(db: Queryable, id: string): Promise<Assistant | undefined> {
  const { rows } = await db.query<AssistantRow>('SELECT * FROM assistants WHERE id = $1', [id]);
  return rows[0] && toAssistant(rows[0]);
}

/** Who may see which assistants: everything (admins), or one's own plus the built-ins. */
/** The assistants of these ids that exist (ids that are not UUIDs are left out, not an error). */
export async function findAssistantsByIds(db: Queryable, ids: readonly string[]): Promise<Assistant[]> {
  const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (valid.length === 0) return [];
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM assistants WHERE id = ANY($1::uuid[])', [
    valid,
  ]);
  return rows.map(assistantFromRow);
}

export type AssistantScope = { all: true } | { ownerId: string };

export interface AssistantFilter {
  kind?: Assistant['kind'];
  status?: Assistant['status'];
  graphId?: string;
  /** Case-insensitive substring of the name. */
  nameContains?: string;
  /** Assistants whose metadata contains these keys and values (jsonb `@>`). */
  metadata?: Record<string, unknown>;
  builtIn?: boolean;
  limit: number;
  offset: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One page of assistants in the scope, newest first, and the total that match. */
export async function listAssistants(
  db: Queryable,
  scope: AssistantScope,
  filter: AssistantFilter,
): Promise<{ items: Assistant[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if ('ownerId' in scope) add((n) => `(owner_id = ${n} OR built_in)`, scope.ownerId);
  if (filter.kind) add((n) => `kind = ${n}`, filter.kind);
  if (filter.status) add((n) => `status = ${n}`, filter.status);
  if (filter.graphId) add((n) => `graph_id = ${n}`, filter.graphId);
  if (filter.nameContains) add((n) => `name ILIKE ${n}`, `%${escapeLike(filter.nameContains)}%`);
  if (filter.metadata) add((n) => `metadata @> ${n}::jsonb`, JSON.stringify(filter.metadata));
  if (filter.builtIn !== undefined) add((n) => `built_in = ${n}`, filter.builtIn);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await db.query<AssistantRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM assistants ${clause}
     ORDER BY created_at DESC, created_seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.limit, filter.offset],
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && filter.offset > 0) {
    const counted = await db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM assistants ${clause}`,
      params,
    );
    total = counted.rows[0]?.total ?? 0;
  }
  return { items: rows.map(toAssistant), total };
}

/**
 * The default assistant of a graph in the scope (the LangGraph convention): one created by the
 * system (`metadata.created_by = "system"`) or built in first, then the oldest.
 */
export async function findGraphDefaultAssistant(
  db: Queryable,
  scope: AssistantScope,
  graphId: string,
): Promise<Assistant | undefined> {
  const params: unknown[] = [graphId];
  let visible = '';
  if ('ownerId' in scope) {
    params.push(scope.ownerId);
    visible = 'AND (owner_id = $2 OR built_in)';
  }
  const { rows } = await db.query<AssistantRow>(
    `SELECT * FROM assistants WHERE graph_id = $1 ${visible}
     ORDER BY (built_in OR COALESCE(metadata->>'created_by' = 'system', false)) DESC, created_at, created_seq LIMIT 1`,
    params,
  );
  return rows[0] && toAssistant(rows[0]);
}

export interface AssistantChanges {
  name?: string;
  description?: string | null;
  kind?: Assistant['kind'];
  config?: Record<string, unknown>;
  status?: Assistant['status'];
  graphId?: string | null;
  metadata?: Record<string, unknown>;
  /** null removes the limit. */
  maxConcurrent?: number | null;
  rateLimit?: number | null;
  /** null removes the budget. */
  budget?: StoredBudget | null;
  /** null: names no provider. */
  provider?: string | null;
}

/** Applies the given changes, bumps `version`, returns the row (undefined if it is gone). */
export async function updateAssistant(
  db: Queryable,
  id: string,
  changes: AssistantChanges,
): Promise<Assistant | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (changes.name !== undefined) set('name', changes.name);
  if (changes.description !== undefined) set('description', changes.description);
  if (changes.kind !== undefined) set('kind', changes.kind);
  if (changes.config !== undefined) set('config', JSON.stringify(changes.config), '::jsonb');
  if (changes.status !== undefined) set('status', changes.status);
  if (changes.graphId !== undefined) set('graph_id', changes.graphId);
  if (changes.metadata !== undefined) set('metadata', JSON.stringify(changes.metadata), '::jsonb');
  if (changes.maxConcurrent !== undefined) set('max_concurrent', changes.maxConcurrent);
  if (changes.rateLimit !== undefined) set('rate_limit', changes.rateLimit);
  if (changes.budget !== undefined) set('budget', changes.budget && JSON.stringify(changes.budget), '::jsonb');
  if (changes.provider !== undefined) set('provider', changes.provider);
  const { rows } = await db.query<AssistantRow>(
    `UPDATE assistants SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')}
     WHERE id = $1 RETURNING *`,
    params,
  );
  return rows[0] && toAssistant(rows[0]);
}

/** Deletes an assistant (its schedules go with it; threads and runs keep a null reference). */
export async function deleteAssistant(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM assistants WHERE id = $1', [id]);
  return rowCount > 0;
}

/**
 * Inserts a built-in assistant or refreshes its definition (name, description, kind, config,
 * graph id), keeping what an admin chose: its status and metadata.
 */
export async function upsertBuiltInAssistant(db: Queryable, input: NewAssistant & { id: string }): Promise<Assistant> {
  const { rows } = await db.query<AssistantRow>(
    `INSERT INTO assistants (id, owner_id, name, kind, config, status, graph_id, description, metadata, built_in)
     VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, true)
     ON CONFLICT (id) DO UPDATE SET
       name = EXCLUDED.name, description = EXCLUDED.description, kind = EXCLUDED.kind,
       config = EXCLUDED.config, graph_id = EXCLUDED.graph_id, built_in = true,
       updated_at = CASE
         WHEN (assistants.name, assistants.description, assistants.kind, assistants.config, assistants.graph_id)
              IS NOT DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.kind, EXCLUDED.config, EXCLUDED.graph_id)
         THEN assistants.updated_at ELSE now() END
     RETURNING *`,
    [
      input.id,
      input.ownerId,
      input.name,
      input.kind,
      JSON.stringify(input.config ?? {}),
      input.graphId ?? null,
      input.description ?? null,
      JSON.stringify(input.metadata ?? {}),
    ],
  );
  return toAssistant(rows[0]!);
}
