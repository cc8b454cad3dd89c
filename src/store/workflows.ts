import type { Queryable } from './database.ts';

/**
 * A row of `workflows`. The store keeps a definition as JSON; `Definition` is the type the
 * workflow language gives it (src/workflows/workflow-rows.ts reads these rows with it).
 */
export interface WorkflowRow<Definition = unknown> {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  definition: Definition;
  status: 'active' | 'inactive';
  metadata: Record<string, unknown>;
  version: number;
  source: 'api' | 'config';
  created_at: Date;
  updated_at: Date;
}

export interface NewWorkflow<Definition = unknown> {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  definition: Definition;
  status: 'active' | 'inactive';
  metadata: Record<string, unknown>;
  source: 'api' | 'config';
  created_at: Date;
}

/** Inserts a workflow and its version 1 in one statement. */
export async function insertWorkflow<Definition>(
  db: Queryable,
  workflow: NewWorkflow<Definition>,
): Promise<WorkflowRow<Definition>> {
  const { rows } = await db.query<WorkflowRow<Definition>>(
    `WITH w AS (
       INSERT INTO workflows (id, owner_id, name, description, definition, status, metadata, source, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8, 1, $9, $9) RETURNING *
     ), v AS (
       INSERT INTO workflow_versions (workflow_id, version, definition, created_at) SELECT id, 1, definition, created_at FROM w
     )
     SELECT * FROM w`,
    [
      workflow.id,
      workflow.owner_id,
      workflow.name,
      workflow.description,
      JSON.stringify(workflow.definition),
      workflow.status,
      JSON.stringify(workflow.metadata),
      workflow.source,
      workflow.created_at,
    ],
  );
  return rows[0]!;
}

export async function findWorkflow<Definition = unknown>(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<WorkflowRow<Definition> | undefined> {
  const { rows } = await db.query<WorkflowRow<Definition>>(
    `SELECT * FROM workflows WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function findWorkflowByName<Definition = unknown>(
  db: Queryable,
  ownerId: string,
  name: string,
): Promise<WorkflowRow<Definition> | undefined> {
  const { rows } = await db.query<WorkflowRow<Definition>>(
    'SELECT * FROM workflows WHERE owner_id = $1 AND name = $2',
    [ownerId, name],
  );
  return rows[0];
}

export interface WorkflowFilter {
  ownerId?: string;
  status?: 'active' | 'inactive';
  /** Case-insensitive part of the name. */
  nameContains?: string;
  /** Case-insensitive part of the name or the description. */
  search?: string;
  source?: 'api' | 'config';
  limit: number;
  offset: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Newest first, with the total that match. */
export async function listWorkflows<Definition = unknown>(
  db: Queryable,
  filter: WorkflowFilter,
): Promise<{ rows: Array<WorkflowRow<Definition>>; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.ownerId) add((n) => `owner_id = ${n}`, filter.ownerId);
  if (filter.status) add((n) => `status = ${n}`, filter.status);
  if (filter.source) add((n) => `source = ${n}`, filter.source);
  if (filter.nameContains) add((n) => `name ILIKE ${n}`, `%${escapeLike(filter.nameContains)}%`);
  if (filter.search)
    add((n) => `(name ILIKE ${n} OR coalesce(description, '') ILIKE ${n})`, `%${escapeLike(filter.search)}%`);
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const [{ rows }, counted] = [
    await db.query<WorkflowRow<Definition>>(
      `SELECT * FROM workflows ${clause} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    ),
    await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM workflows ${clause}`, params),
  ];
  return { rows, total: counted.rows[0]?.total ?? 0 };
}

export interface WorkflowChanges<Definition = unknown> {
  name?: string;
  description?: string | null;
  definition?: Definition;
  status?: 'active' | 'inactive';
  metadata?: Record<string, unknown>;
  source?: 'api' | 'config';
}

/** Applies changes, increments the version and stores the new version's definition (one statement). */
export async function updateWorkflow<Definition = unknown>(
  db: Queryable,
  id: string,
  changes: WorkflowChanges<Definition>,
  now: Date,
): Promise<WorkflowRow<Definition> | undefined> {
  const { rows } = await db.query<WorkflowRow<Definition>>(
    `WITH w AS (
       UPDATE workflows SET
         name = coalesce($2, name),
         description = CASE WHEN $3::bool THEN $4 ELSE description END,
         definition = coalesce($5::jsonb, definition),
         status = coalesce($6, status),
         metadata = coalesce($7::jsonb, metadata),
         source = coalesce($8, source),
         version = version + 1,
         updated_at = $9
       WHERE id = $1 RETURNING *
     ), v AS (
       INSERT INTO workflow_versions (workflow_id, version, definition, created_at) SELECT id, version, definition, updated_at FROM w
     )
     SELECT * FROM w`,
    [
      id,
      changes.name ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.definition === undefined ? null : JSON.stringify(changes.definition),
      changes.status ?? null,
      changes.metadata === undefined ? null : JSON.stringify(changes.metadata),
      changes.source ?? null,
      now,
    ],
  );
  return rows[0];
}

export async function deleteWorkflow(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('DELETE FROM workflows WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

/** One version's definition (what a run walks). */
export async function findWorkflowVersion<Definition = unknown>(
  db: Queryable,
  workflowId: string,
  version: number,
): Promise<Definition | undefined> {
  const { rows } = await db.query<{ definition: Definition }>(
    'SELECT definition FROM workflow_versions WHERE workflow_id = $1 AND version = $2',
    [workflowId, version],
  );
  return rows[0]?.definition;
}

/** What refers to a workflow: schedules and triggers that target it, workflows that call it. */
export async function workflowReferences(
  db: Queryable,
  id: string,
): Promise<{ schedules: string[]; triggers: string[]; workflows: string[] }> {
  const { rows } = await db.query<{ kind: string; id: string }>(
    `SELECT 'schedule' AS kind, id::text FROM schedules WHERE workflow_id = $1
     UNION ALL
     SELECT 'trigger', id::text FROM triggers WHERE workflow_id = $1
     UNION ALL
     SELECT 'workflow', id::text FROM workflows
     WHERE id <> $1 AND jsonb_path_exists(definition, '$.**.workflow_id ? (@ == $id)', jsonb_build_object('id', $1::text))`,
    [id],
  );
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.id);
  return { schedules: of('schedule'), triggers: of('trigger'), workflows: of('workflow') };
}

/** The id of the owner's workflow named by `ref` (its id or its name; the id wins). */
export async function findWorkflowIdByRef(db: Queryable, ownerId: string, ref: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM workflows WHERE owner_id = $2 AND (id::text = $1 OR name = $1) ORDER BY (id::text = $1) DESC LIMIT 1`,
    [ref, ownerId],
  );
  return rows[0]?.id;
}

/** The `concurrency` of these workflows' definitions (issue 21), for those that have one. */
export async function workflowConcurrencies(
  db: Queryable,
  ids: readonly string[],
): Promise<Array<{ id: string; concurrency: unknown }>> {
  const { rows } = await db.query<{ id: string; concurrency: unknown }>(
    `SELECT id, definition->'concurrency' AS concurrency FROM workflows
       WHERE id = ANY($1::uuid[]) AND jsonb_typeof(definition->'concurrency') = 'object'`,
    [ids],
  );
  return rows;
}
