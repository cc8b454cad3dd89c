import { budgetSchema } from '../runs/budget.ts';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import { KairosError, invalid, notFound } from '../errors.ts';
import {
  deleteAssistant,
  findAssistant,
  findGraphDefaultAssistant,
  insertAssistant,
  listAssistants,
  updateAssistant,
  type AssistantChanges,
  type AssistantScope,
} from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { lockAssistantUsers, type AssistantUsers } from '../store/assistant-users.ts';
import { findProviderByName, type Provider } from '../store/providers.ts';
import { addressGuardFromConfig, type AddressGuard, type ResolveAll } from './address-guard.ts';
import { isSecretKey, outboundUrl, parseAssistantConfig } from './assistant-config.ts';
import { isEnvReference } from './env-reference.ts';
import type { ModuleRegistry } from './module-registry.ts';
import { assistantKinds, type Assistant } from './runtime.ts';
import { parseInput } from './validation.ts';

/** Workflows are their own resource (`/api/v1/workflows`), not an assistant kind. */
const kinds = assistantKinds;
const statuses = ['active', 'inactive'] as const;
const jsonObject = z.record(z.string(), z.unknown());

const providerLimit = (what: string) =>
  z
    .number({ error: `must be a whole number of ${what} of at least 1, or null for no limit` })
    .int(`must be a whole number of ${what} of at least 1, or null for no limit`)
    .min(1, `must be at least 1 (${what}), or null for no limit`)
    .max(1_000_000, `must be at most 1000000 ${what}`)
    .nullable();
/** Runs of the assistant at once, across all replicas. */
const maxConcurrent = providerLimit('runs at once');
/** Runs of the assistant started in any 60 seconds. */
const rateLimit = providerLimit('runs per minute');
/** The provider (of the assistant's owner) it names (docs/gates.md "Providers"); null: none. */
const providerName = z.string().trim().min(1, 'must name a provider, or be null for none').max(100).nullable();

export const assistantCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(200),
  description: z.string().max(4000).nullable().optional(),
  kind: z.enum(kinds),
  config: jsonObject.default({}),
  status: z.enum(statuses).default('active'),
  graph_id: z.string().trim().min(1).max(200).nullable().optional(),
  metadata: jsonObject.default({}),
  max_concurrent: maxConcurrent.optional(),
  rate_limit: rateLimit.optional(),
  /** Token and dollar limits on its runs (docs/gates.md "Budgets"); null: none. */
  budget: budgetSchema.nullable().optional(),
  provider: providerName.optional(),
});

export const assistantUpdateSchema = z.strictObject({
  name: z.string().trim().min(1, 'may not be empty').max(200).optional(),
  description: z.string().max(4000).nullable().optional(),
  kind: z.enum(kinds).optional(),
  config: jsonObject.optional(),
  status: z.enum(statuses).optional(),
  graph_id: z.string().trim().min(1).max(200).nullable().optional(),
  metadata: jsonObject.optional(),
  max_concurrent: maxConcurrent.optional(),
  rate_limit: rateLimit.optional(),
  budget: budgetSchema.nullable().optional(),
  provider: providerName.optional(),
});

const booleanText = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

export const assistantListSchema = z.strictObject({
  kind: z.enum(kinds).optional(),
  status: z.enum(statuses).optional(),
  graph_id: z.string().min(1).optional(),
  /** Case-insensitive part of the name. */
  name: z.string().min(1).optional(),
  metadata: jsonObject.optional(),
  built_in: booleanText.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export type AssistantCreateInput = z.input<typeof assistantCreateSchema>;
export type AssistantUpdateInput = z.input<typeof assistantUpdateSchema>;
export type AssistantListInput = z.input<typeof assistantListSchema>;

/** Assistants: create, read, search, change and delete them, and resolve what a schedule names. */
export interface AssistantService {
  create(actor: Actor, input: AssistantCreateInput): Promise<Assistant>;
  /** An assistant the actor may see (own, built in, or any for admins); 404 otherwise. */
  get(actor: Actor, id: string): Promise<Assistant>;
  list(actor: Actor, filter?: AssistantListInput): Promise<{ items: Assistant[]; total: number }>;
  update(actor: Actor, id: string, patch: AssistantUpdateInput): Promise<Assistant>;
  /**
   * Deletes an assistant. Refused (`assistant_in_use`, 409, naming them) while schedules,
   * triggers or workflows use it; `force` deletes its schedules and triggers with it, but a
   * workflow that calls it still refuses (change the workflow first).
   */
  delete(actor: Actor, id: string, options?: { force?: boolean }): Promise<void>;
  /** An assistant by id, or the default assistant of a graph id (LangGraph's convention). */
  resolve(actor: Actor, idOrGraphId: string): Promise<Assistant>;
  /**
   * The assistant a new schedule or run may target: it exists for the actor, is active and (for
   * modules) registered here. Throws `not_found` (404), `forbidden` (403, viewers),
   * `assistant_inactive` (422) or `assistant_unavailable` (422).
   */
  assertRunnable(actor: Actor, idOrGraphId: string): Promise<Assistant>;
  /**
   * The assistant a test call may run: one the actor owns (admins: any). Viewers get 403,
   * others' assistants 404, built-ins 403 for non-admins.
   */
  assertTestable(actor: Actor, id: string): Promise<Assistant>;
  /**
   * An unsaved assistant built from a draft `{kind, config}` (validated as at save time, the
   * address guard included), for a test call before saving. Nothing is stored.
   */
  draft(actor: Actor, input: AssistantDraftInput): Promise<Assistant>;
}

export const assistantDraftSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).default('draft'),
  kind: z.enum(kinds),
  config: jsonObject.default({}),
});
export type AssistantDraftInput = z.input<typeof assistantDraftSchema>;

export interface AssistantServiceOptions {
  db: Database;
  config: Pick<Config, 'http'>;
  registry: ModuleRegistry;
  /** Tests: the resolver behind the private-address check. */
  resolveAll?: ResolveAll;
  /** Whether the server is in local mode now (loopback agents allowed). */
  localMode?: () => Promise<boolean>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function scopeOf(actor: Actor): AssistantScope {
  return actor.role === 'admin' ? { all: true } : { ownerId: actor.userId };
}

function canSeeAssistant(actor: Actor, assistant: Assistant): boolean {
  return actor.role === 'admin' || assistant.builtIn || assistant.ownerId === actor.userId;
}

/** The 409 of a delete refused while schedules, triggers or workflows use the assistant. */
function assistantInUse(assistant: Assistant, users: AssistantUsers, forced: boolean): KairosError {
  const names = (kind: string, list: Array<{ name: string }>) =>
    list.length === 0
      ? []
      : [`${list.length} ${kind}${list.length === 1 ? '' : 's'} (${list.map((u) => u.name).join(', ')})`];
  const uses = [
    ...names('schedule', users.schedules),
    ...names('trigger', users.triggers),
    ...names('workflow', users.workflows),
  ].join(', ');
  const fix =
    users.workflows.length > 0
      ? `change or delete the workflow${users.workflows.length === 1 ? '' : 's'} first` +
        (users.schedules.length + users.triggers.length > 0 && !forced
          ? ', then delete with ?force=true to delete its schedules and triggers with it'
          : '')
      : 'delete or retarget them, or delete with ?force=true to delete its schedules and triggers with it';
  return new KairosError('assistant_in_use', `assistant "${assistant.name}" is used by ${uses}: ${fix}`, {
    status: 409,
    details: { id: assistant.id, ...users },
  });
}

function assertWriter(actor: Actor, action: string): void {
  if (actor.role === 'viewer') {
    throw new KairosError('forbidden', `viewers cannot ${action}; ask an admin for a member key`, { status: 403 });
  }
}

export function createAssistantService(options: AssistantServiceOptions): AssistantService {
  const { db, registry } = options;
  const guard: AddressGuard = addressGuardFromConfig(options.config, options.resolveAll, options.localMode);

  /** The provider an assistant of `ownerId` names, or a 422 naming it. */
  async function namedProvider(ownerId: string, name: string | null | undefined): Promise<Provider | undefined> {
    if (name === null || name === undefined) return undefined;
    const provider = await findProviderByName(db, ownerId, name);
    if (!provider) {
      throw invalid(
        'provider',
        `there is no provider named "${name}" (of the assistant's owner): create it with POST /api/v1/providers, or use null`,
        { provider: name },
      );
    }
    return provider;
  }

  /**
   * Validates a kind's config, its module id and its destination (private addresses). An llm
   * assistant that names a provider takes its base URL from it (checked when the provider was saved).
   */
  async function checkConfig(
    kind: Assistant['kind'],
    config: unknown,
    provider?: Provider,
  ): Promise<Record<string, unknown>> {
    if (provider && kind === 'llm' && typeof config === 'object' && config !== null && !('base_url' in config)) {
      const { base_url: _, ...parsed } = parseAssistantConfig(kind, { ...config, base_url: provider.baseUrl });
      return parsed;
    }
    const parsed = parseAssistantConfig(kind, config);
    if (kind === 'module') {
      const id = parsed.module as string;
      if (!registry.has(id)) {
        const known = registry.ids();
        throw invalid(
          'config.module',
          `module "${id}" is not registered in this server's config file (kairos.config.ts)` +
            (known.length > 0 ? `; registered: ${known.join(', ')}` : '; none are registered'),
          { module: id, registered: known },
        );
      }
    }
    const target = outboundUrl(kind, parsed);
    if (target) {
      try {
        await guard.checkUrl(target.url);
      } catch (error) {
        throw invalid(target.field, (error as Error).message, { host: target.url.hostname });
      }
    }
    return parsed;
  }

  async function visible(actor: Actor, id: string): Promise<Assistant> {
    const assistant = uuidPattern.test(id) ? await findAssistant(db, id) : undefined;
    if (!assistant || !canSeeAssistant(actor, assistant)) throw notFound('assistant', id);
    return assistant;
  }

  async function writable(actor: Actor, id: string, action: string): Promise<Assistant> {
    assertWriter(actor, action);
    const assistant = await visible(actor, id);
    if (assistant.builtIn && actor.role !== 'admin') {
      throw new KairosError('forbidden', `"${assistant.name}" is built in: only admins may ${action} it`, {
        status: 403,
      });
    }
    if (actor.role !== 'admin' && assistant.ownerId !== actor.userId) throw notFound('assistant', id);
    return assistant;
  }

  const service: AssistantService = {
    async create(actor, input) {
      assertWriter(actor, 'create assistants');
      const parsed = parseInput(assistantCreateSchema, input);
      const provider = await namedProvider(actor.userId, parsed.provider);
      const config = await checkConfig(parsed.kind, parsed.config, provider);
      return insertAssistant(db, {
        ownerId: actor.userId,
        name: parsed.name,
        description: parsed.description ?? null,
        kind: parsed.kind,
        config,
        status: parsed.status,
        graphId: parsed.graph_id ?? null,
        metadata: parsed.metadata,
        maxConcurrent: parsed.max_concurrent ?? null,
        rateLimit: parsed.rate_limit ?? null,
        budget: parsed.budget ?? null,
        provider: provider?.name ?? null,
      });
    },

    get: (actor, id) => visible(actor, id),

    async list(actor, filter = {}) {
      const parsed = parseInput(assistantListSchema, filter);
      return listAssistants(db, scopeOf(actor), {
        kind: parsed.kind,
        status: parsed.status,
        graphId: parsed.graph_id,
        nameContains: parsed.name,
        metadata: parsed.metadata,
        builtIn: parsed.built_in,
        limit: parsed.limit,
        offset: parsed.offset,
      });
    },

    async update(actor, id, patch) {
      const current = await writable(actor, id, 'change');
      const parsed = parseInput(assistantUpdateSchema, patch);
      if (current.builtIn) {
        const fixed = Object.keys(parsed).find(
          (key) => !['status', 'metadata', 'max_concurrent', 'rate_limit', 'budget', 'provider'].includes(key),
        );
        if (fixed)
          throw invalid(fixed, `"${current.name}" is built in: only its status, metadata and limits can change`);
      }
      const changes: AssistantChanges = {
        name: parsed.name,
        description: parsed.description,
        status: parsed.status,
        graphId: parsed.graph_id,
        metadata: parsed.metadata,
        maxConcurrent: parsed.max_concurrent,
        rateLimit: parsed.rate_limit,
        budget: parsed.budget,
        provider: parsed.provider,
      };
      if (parsed.kind !== undefined && parsed.kind !== current.kind && parsed.config === undefined) {
        throw invalid('config', `changing kind from ${current.kind} to ${parsed.kind} needs the new kind's config`);
      }
      const provider = await namedProvider(
        current.ownerId,
        parsed.provider !== undefined ? parsed.provider : current.provider,
      );
      if (
        parsed.config !== undefined ||
        parsed.kind !== undefined ||
        (parsed.provider !== undefined && !current.builtIn)
      ) {
        const kind = parsed.kind ?? current.kind;
        changes.kind = kind;
        changes.config = await checkConfig(kind, parsed.config ?? current.config, provider);
      }
      const updated = await updateAssistant(db, id, changes);
      if (!updated) throw notFound('assistant', id);
      return updated;
    },

    async delete(actor, id, options = {}) {
      const assistant = await writable(actor, id, 'delete');
      if (assistant.builtIn) {
        throw new KairosError(
          'built_in',
          `"${assistant.name}" is built in and cannot be deleted; set its status to inactive instead`,
          {
            status: 409,
            details: { id },
          },
        );
      }
      await db.transaction(async (tx) => {
        const users = await lockAssistantUsers(tx, id);
        const firing = users.schedules.length + users.triggers.length;
        if (users.workflows.length > 0 || (firing > 0 && !options.force)) {
          throw assistantInUse(assistant, users, Boolean(options.force));
        }
        if (!(await deleteAssistant(tx, id))) throw notFound('assistant', id);
      });
    },

    async resolve(actor, idOrGraphId) {
      if (uuidPattern.test(idOrGraphId)) {
        const assistant = await findAssistant(db, idOrGraphId);
        if (assistant && canSeeAssistant(actor, assistant)) return assistant;
      }
      const byGraph = await findGraphDefaultAssistant(db, scopeOf(actor), idOrGraphId);
      if (!byGraph) {
        throw new KairosError('not_found', `no assistant or graph "${idOrGraphId}" was found (or it is not yours)`, {
          status: 404,
          details: { id: idOrGraphId },
        });
      }
      return byGraph;
    },

    async assertRunnable(actor, idOrGraphId) {
      assertWriter(actor, 'run assistants');
      const assistant = await service.resolve(actor, idOrGraphId);
      if (assistant.status !== 'active') {
        throw new KairosError(
          'assistant_inactive',
          `assistant "${assistant.name}" is inactive: set its status to active before scheduling or running it`,
          { status: 422, details: { field: 'assistant_id', assistant_id: assistant.id } },
        );
      }
      if (assistant.kind === 'module') {
        const id = String(assistant.config.module ?? '');
        if (!registry.has(id)) {
          throw new KairosError(
            'assistant_unavailable',
            `assistant "${assistant.name}" runs module "${id}", which this server's config file does not register`,
            { status: 422, details: { field: 'assistant_id', assistant_id: assistant.id, module: id } },
          );
        }
      }
      return assistant;
    },

    assertTestable: (actor, id) => writable(actor, id, 'test'),

    async draft(actor, input) {
      assertWriter(actor, 'test assistants');
      const parsed = parseInput(assistantDraftSchema, input);
      const config = await checkConfig(parsed.kind, parsed.config);
      const now = new Date();
      return {
        id: '00000000-0000-0000-0000-000000000000',
        ownerId: actor.userId,
        name: parsed.name,
        kind: parsed.kind,
        config,
        status: 'active',
        graphId: null,
        description: null,
        builtIn: false,
        metadata: {},
        maxConcurrent: null,
        rateLimit: null,
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
    },
  };
  return service;
}

/** A config as shown to users: references stay as `{"env": NAME}`; stray plain secrets are masked. */
export function publicConfig(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => publicConfig(item, key));
  if (typeof value === 'string') return key && isSecretKey(key) ? '[redacted]' : value;
  if (typeof value !== 'object' || value === null || isEnvReference(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, publicConfig(child, name)]));
}

/** The public JSON view of an assistant (the native API's shape): never a secret value. */
export function assistantToJson(assistant: Assistant) {
  return {
    id: assistant.id,
    name: assistant.name,
    description: assistant.description,
    kind: assistant.kind,
    config: publicConfig(assistant.config) as Record<string, unknown>,
    status: assistant.status,
    graph_id: assistant.graphId,
    built_in: assistant.builtIn,
    owner_id: assistant.ownerId,
    metadata: assistant.metadata,
    max_concurrent: assistant.maxConcurrent,
    rate_limit: assistant.rateLimit,
    budget: assistant.budget ?? null,
    provider: assistant.provider ?? null,
    version: assistant.version,
    created_at: assistant.createdAt.toISOString(),
    updated_at: assistant.updatedAt.toISOString(),
  };
}
