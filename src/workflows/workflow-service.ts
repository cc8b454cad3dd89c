import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import type { ModuleRegistry } from '../agents/module-registry.ts';
import { assertCanWrite, canSee, localAdmin, type Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { KairosError, notFound } from '../errors.ts';
import { usableThread } from '../auth/access.ts';
import { parseInput } from '../parse-input.ts';
import type { Database, Queryable } from '../store/database.ts';
import { advisoryXactLock } from '../store/advisory-lock.ts';
import { findRun, listRuns } from '../store/runs.ts';
import { findUser } from '../store/users.ts';
import {
  deleteWorkflow,
  findWorkflow,
  findWorkflowByName,
  insertWorkflow,
  listWorkflows,
  updateWorkflow,
  type WorkflowRow,
} from './workflow-rows.ts';
import { workflowReferences } from '../store/workflows.ts';
import { createApiRun, runCreateSchema } from '../runs/api-run.ts';
import { runStatuses } from '../runs/run-status.ts';
import { toRunResource, type RunResource } from '../runs/run-resource.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';
import { validateWorkflow, type ReferenceLookup } from './workflow-validate.ts';

const statuses = ['active', 'inactive'] as const;

/** A workflow as the API shows it: its definition (the JSON that was saved) and its state. */
export interface WorkflowResource {
  id: string;
  name: string;
  description: string | null;
  owner_id: string;
  status: 'active' | 'inactive';
  /** Incremented by every update; each run records the version it ran. */
  version: number;
  /** `config`: declared in the config file and registered at start. */
  source: 'api' | 'config';
  definition: WorkflowDefinition;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export function toWorkflowResource(row: WorkflowRow): WorkflowResource {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    owner_id: row.owner_id,
    status: row.status,
    version: row.version,
    source: row.source,
    definition: row.definition,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** A create body: the definition (`name`, `description`, `steps`, `metadata`) and a status. */
export const workflowCreateSchema = z.looseObject({ status: z.enum(statuses).default('active') });
export type WorkflowCreateInput = Record<string, unknown> & { status?: 'active' | 'inactive' };

/** A patch: any of the definition's fields and the status; the version is incremented. */
export const workflowUpdateSchema = z.strictObject({
  name: z.unknown().optional(),
  description: z.unknown().optional(),
  steps: z.unknown().optional(),
  metadata: z.unknown().optional(),
  on_waiting: z.unknown().optional(),
  concurrency: z.unknown().optional(),
  status: z.enum(statuses).optional(),
});
export type WorkflowUpdateInput = z.input<typeof workflowUpdateSchema>;

export const workflowListSchema = z.strictObject({
  /** Case-insensitive part of the name. */
  name: z.string().min(1).max(200).optional(),
  /** Case-insensitive part of the name or the description. */
  search: z.string().min(1).max(200).optional(),
  status: z.enum(statuses).optional(),
  source: z.enum(['api', 'config']).optional(),
  owner_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type WorkflowListInput = z.input<typeof workflowListSchema>;

/** A run of a workflow: as api runs take it, without the target. */
export const workflowRunSchema = runCreateSchema.omit({ assistant_id: true, config: true, context: true });
export type WorkflowRunInput = z.input<typeof workflowRunSchema>;

export const workflowRunListSchema = z.strictObject({
  status: z.enum(runStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type WorkflowRunListInput = z.input<typeof workflowRunListSchema>;

export interface WorkflowServiceOptions {
  db: Database;
  clock: Clock;
  /** Checks the assistants a definition names (exist for the owner, active, runnable here). */
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** The module functions this server runs (`module` steps). */
  registry: Pick<ModuleRegistry, 'has'>;
  /** A run that cannot start within this long fails with `capacity`. */
  startDeadlineMs: number;
}

const uniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/**
 * Workflows: create, read, list, update (version + 1), delete, validate without saving, run and
 * list runs; the config file's workflows are registered at start. Every method is scoped by the
 * actor (admins see every workflow; others their own: another user's is `not_found`).
 *
 * @example
 * const workflow = await kairos.workflows.create(actor, { name: 'digest', steps: [{ type: 'step', name: 'fetch', assistant_id }] });
 * const run = await kairos.workflows.run(actor, workflow.id, { input: { topic: 'CEL' } });
 */
export class WorkflowService {
  constructor(private readonly options: WorkflowServiceOptions) {}

  /** Checks a definition as saving would, without saving it; throws the 422 listing every problem. */
  async validate(actor: Actor, body: unknown, selfId?: string): Promise<{ valid: true }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw this.notAnObject();
    const { status: _status, ...definition } = body as Record<string, unknown>;
    await validateWorkflow(definition, this.lookup(actor), selfId);
    return { valid: true };
  }

  async create(
    actor: Actor,
    body: WorkflowCreateInput,
    options: { source?: 'api' | 'config' } = {},
  ): Promise<WorkflowResource> {
    assertCanWrite(actor, 'create workflows');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw this.notAnObject();
    const { status: rawStatus, ...definitionBody } = body;
    const { status } = parseInput(workflowCreateSchema, { status: rawStatus });
    const definition = await validateWorkflow(definitionBody, this.lookup(actor));
    try {
      const row = await insertWorkflow(this.options.db, {
        id: randomUUID(),
        owner_id: actor.userId,
        name: definition.name,
        description: definition.description ?? null,
        definition,
        status,
        metadata: definition.metadata ?? {},
        source: options.source ?? 'api',
        created_at: new Date(this.options.clock.now()),
      });
      return toWorkflowResource(row);
    } catch (error) {
      if (uniqueViolation(error)) throw this.nameTaken(definition.name);
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<WorkflowResource> {
    return toWorkflowResource(await this.visible(actor, id));
  }

  /** Newest first; `name` (part of the name), `search` (name or description), `status`, `source`. */
  async list(actor: Actor, filters: WorkflowListInput = {}): Promise<{ items: WorkflowResource[]; total: number }> {
    const input = parseInput(workflowListSchema, filters);
    const ownerId = actor.role === 'admin' ? input.owner_id : actor.userId;
    const { rows, total } = await listWorkflows(this.options.db, {
      ...(ownerId && { ownerId }),
      ...(input.status && { status: input.status }),
      ...(input.source && { source: input.source }),
      ...(input.name && { nameContains: input.name }),
      ...(input.search && { search: input.search }),
      limit: input.limit,
      offset: input.offset,
    });
    return { items: rows.map(toWorkflowResource), total };
  }

  /** Changes the given fields; the merged definition is validated again and the version incremented. */
  async update(actor: Actor, id: string, body: WorkflowUpdateInput): Promise<WorkflowResource> {
    assertCanWrite(actor, 'change workflows');
    const patch = parseInput(workflowUpdateSchema, body);
    const current = await this.visible(actor, id);
    const owner: Actor = current.owner_id === actor.userId ? actor : { userId: current.owner_id, role: actor.role };
    const merged: Record<string, unknown> = { ...current.definition };
    for (const key of ['name', 'description', 'steps', 'metadata', 'on_waiting', 'concurrency'] as const) {
      if (
        patch[key] === null &&
        (key === 'description' || key === 'metadata' || key === 'on_waiting' || key === 'concurrency')
      )
        delete merged[key];
      else if (patch[key] !== undefined) merged[key] = patch[key];
    }
    const definition = await validateWorkflow(merged, this.lookup(owner), id);
    try {
      const row = await updateWorkflow(
        this.options.db,
        id,
        {
          name: definition.name,
          description: definition.description ?? null,
          definition,
          metadata: definition.metadata ?? {},
          ...(patch.status !== undefined && { status: patch.status }),
        },
        new Date(this.options.clock.now()),
      );
      if (!row) throw notFound('workflow', id);
      return toWorkflowResource(row);
    } catch (error) {
      if (uniqueViolation(error)) throw this.nameTaken(definition.name);
      throw error;
    }
  }

  /**
   * Deletes a workflow and its versions. Refused (`workflow_in_use`, 409) while a schedule or a
   * trigger targets it or another workflow runs it as a step; its run history is kept.
   */
  async delete(actor: Actor, id: string): Promise<void> {
    assertCanWrite(actor, 'delete workflows');
    await this.visible(actor, id);
    const { db } = this.options;
    await db.transaction(async (tx) => {
      const users = await this.usersOf(tx, id);
      if (users.schedules.length + users.triggers.length + users.workflows.length > 0) {
        throw new KairosError(
          'workflow_in_use',
          `workflow ${id} is still used by ${users.schedules.length} schedule(s), ${users.triggers.length} trigger(s) and ${users.workflows.length} workflow(s): delete or retarget them first`,
          { status: 409, details: users },
        );
      }
      await deleteWorkflow(tx, id);
    });
  }

  /** Creates a run of the workflow now (`trigger: "api"`, 202 in the API): a durable run like any other. */
  async run(actor: Actor, id: string, body: WorkflowRunInput = {}): Promise<RunResource> {
    assertCanWrite(actor, 'run workflows');
    const input = parseInput(workflowRunSchema, body);
    const workflow = await this.runnable(actor, id);
    const { db, clock, startDeadlineMs } = this.options;
    if (input.thread_id) await usableThread(db, actor, input.thread_id);
    const runId = await createApiRun(db, { workflowId: workflow.id }, actor.userId, input, {
      now: clock.now(),
      startDeadlineMs,
    });
    return toRunResource((await findRun(db, runId))!);
  }

  /** The workflow's runs, newest first. */
  async runs(
    actor: Actor,
    id: string,
    filters: WorkflowRunListInput = {},
  ): Promise<{ items: RunResource[]; total: number }> {
    const input = parseInput(workflowRunListSchema, filters);
    const workflow = await this.visible(actor, id);
    const { rows, total } = await listRuns(this.options.db, {
      workflowId: workflow.id,
      ...(actor.role !== 'admin' && { ownerId: actor.userId }),
      ...(input.status && { status: input.status }),
      limit: input.limit,
      offset: input.offset,
    });
    return { items: rows.map(toRunResource), total };
  }

  /**
   * The workflow a schedule or run may target: visible to the actor and active. Throws
   * `not_found` (404) or `workflow_inactive` (422).
   */
  async runnable(actor: Actor, id: string, field = 'workflow_id'): Promise<WorkflowRow> {
    const row = z.uuid().safeParse(id).success ? await findWorkflow(this.options.db, id) : undefined;
    if (!row || !canSee(actor, row.owner_id)) {
      throw new KairosError('not_found', `${field}: no workflow "${id}" was found (or it is not yours)`, {
        status: 404,
        details: { field, id },
      });
    }
    if (row.status !== 'active') {
      throw new KairosError(
        'workflow_inactive',
        `workflow "${row.name}" is inactive: set its status to active before scheduling or running it`,
        {
          status: 422,
          details: { field, workflow_id: row.id },
        },
      );
    }
    return row;
  }

  /**
   * Registers the config file's workflows (owned by the local admin, `source: "config"`): a new
   * name is created, a changed definition updated (version + 1), an unchanged one left alone.
   * Race-free across replicas starting together (a transaction lock per name).
   */
  async registerDeclared(definitions: readonly WorkflowDefinition[]): Promise<WorkflowResource[]> {
    const { db } = this.options;
    const registered: WorkflowResource[] = [];
    for (const definition of definitions) {
      const checked = await validateWorkflow(definition, this.lookup(localAdmin));
      const row = await db.transaction(async (tx) => {
        await advisoryXactLock(tx, `${db.schema}:workflow:${checked.name}`);
        const existing = await findWorkflowByName(tx, localAdmin.userId, checked.name);
        const now = new Date(this.options.clock.now());
        if (!existing) {
          return insertWorkflow(tx, {
            id: randomUUID(),
            owner_id: localAdmin.userId,
            name: checked.name,
            description: checked.description ?? null,
            definition: checked,
            status: 'active',
            metadata: checked.metadata ?? {},
            source: 'config',
            created_at: now,
          });
        }
        if (
          JSON.stringify(canonical(existing.definition)) === JSON.stringify(canonical(checked)) &&
          existing.source === 'config'
        )
          return existing;
        return (await updateWorkflow(
          tx,
          existing.id,
          {
            definition: checked,
            description: checked.description ?? null,
            metadata: checked.metadata ?? {},
            source: 'config',
          },
          now,
        ))!;
      });
      registered.push(toWorkflowResource(row));
    }
    return registered;
  }

  private async usersOf(
    db: Queryable,
    id: string,
  ): Promise<{ schedules: string[]; triggers: string[]; workflows: string[] }> {
    return workflowReferences(db, id);
  }

  private lookup(actor: Actor): ReferenceLookup {
    const { assistants, registry, db } = this.options;
    return {
      async assistant(id) {
        try {
          const found = await assistants.assertRunnable(actor, id);
          if (found.id !== id)
            return { ok: false, reason: `"${id}" is a graph id: name the assistant by its id (${found.id})` };
          return { ok: true };
        } catch (error) {
          if (error instanceof KairosError) {
            return {
              ok: false,
              reason:
                error.code === 'not_found' ? `no assistant "${id}" was found (or it is not yours)` : error.message,
            };
          }
          throw error;
        }
      },
      hasModule: (id) => registry.has(id),
      user: async (id) => (await findUser(db, id)) !== undefined,
      async workflow(id) {
        const row = z.uuid().safeParse(id).success ? await findWorkflow(db, id) : undefined;
        if (!row || !canSee(actor, row.owner_id)) return undefined;
        return { id: row.id, name: row.name, status: row.status, definition: row.definition };
      },
    };
  }

  private async visible(actor: Actor, id: string): Promise<WorkflowRow> {
    const row = z.uuid().safeParse(id).success ? await findWorkflow(this.options.db, id) : undefined;
    if (!row || !canSee(actor, row.owner_id)) throw notFound('workflow', id);
    return row;
  }

  private nameTaken(name: string): KairosError {
    return new KairosError('name_taken', `a workflow named "${name}" already exists; choose another name`, {
      status: 409,
      details: { field: 'name', value: name },
    });
  }

  private notAnObject(): KairosError {
    return new KairosError(
      'invalid_workflow',
      '(body): a workflow is a JSON object {name, description?, steps, metadata?}',
      { status: 422, details: { field: '(body)' } },
    );
  }
}

/** JSON with sorted keys, so that a stored (jsonb-reordered) definition compares equal to the declared one. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}
