import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { KairosError, invalid, notFound } from '../errors.ts';
import type { Database } from '../store/database.ts';
import {
  assistantsNamingProvider,
  deleteProvider,
  findProvider,
  findProviderByName,
  insertProvider,
  listProviders,
  providerUsage,
  updateProvider,
  type Provider,
  type ProviderUsage,
} from '../store/providers.ts';
import { envReferenceSchema } from './env-reference.ts';
import { providerWindowMs } from './provider-window.ts';

const limit = (what: string) =>
  z
    .number({ error: `must be a whole number of ${what} of at least 1, or null for no limit` })
    .int(`must be a whole number of ${what} of at least 1, or null for no limit`)
    .min(1, `must be at least 1 (${what}), or null for no limit`)
    .max(1_000_000_000, `must be at most 1000000000 ${what}`)
    .nullable();

const providerName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" and "-" (e.g. "openai")');

const baseUrl = z.string().superRefine((value, context) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    context.addIssue({ code: 'custom', message: `"${value}" is not a URL (expected http://… or https://…)` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    context.addIssue({ code: 'custom', message: `only http and https URLs are allowed, not ${url.protocol}` });
  else if (url.username || url.password)
    context.addIssue({ code: 'custom', message: 'credentials in the URL are not stored: use api_key {"env":"NAME"}' });
});

export const providerCreateSchema = z.strictObject({
  name: providerName,
  base_url: baseUrl,
  /** The key as `{"env": "NAME"}`: a variable of the Kairos process, read at call time. */
  api_key: envReferenceSchema.nullable().optional(),
  rpm: limit('requests per minute').optional(),
  tpm: limit('tokens per minute').optional(),
  max_concurrent: limit('runs at once').optional(),
});

export const providerUpdateSchema = z.strictObject({
  name: providerName.optional(),
  base_url: baseUrl.optional(),
  api_key: envReferenceSchema.nullable().optional(),
  rpm: limit('requests per minute').optional(),
  tpm: limit('tokens per minute').optional(),
  max_concurrent: limit('runs at once').optional(),
});

export const providerListSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export type ProviderCreateInput = z.input<typeof providerCreateSchema>;
export type ProviderUpdateInput = z.input<typeof providerUpdateSchema>;
export type ProviderListInput = z.input<typeof providerListSchema>;

/** A provider with what it has used in the current window. */
export interface ProviderView {
  provider: Provider;
  usage: Omit<ProviderUsage, 'id'>;
}

/** Providers: create, read, change and delete them; resolve the one an assistant names. */
export interface ProviderService {
  create(actor: Actor, input: ProviderCreateInput): Promise<ProviderView>;
  /** A provider the actor may see (own; admins: any); 404 otherwise. */
  get(actor: Actor, id: string): Promise<ProviderView>;
  list(actor: Actor, filter?: ProviderListInput): Promise<{ items: ProviderView[]; total: number }>;
  update(actor: Actor, id: string, patch: ProviderUpdateInput): Promise<ProviderView>;
  /** Refused (`provider_in_use`, 409, naming them) while assistants name it. */
  delete(actor: Actor, id: string): Promise<void>;
  /** The provider `name` of the user `ownerId`, or a 422 on `field` naming it. */
  named(ownerId: string, name: string, field?: string): Promise<Provider>;
}

export interface ProviderServiceOptions {
  db: Database;
  clock: Pick<Clock, 'now'>;
  /** The outbound-address guard for `base_url` (the agents' guard); none: any URL. */
  checkUrl?: (url: URL) => Promise<void>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return invalidThrow(key, `unknown field "${key}"; check the spelling (see docs/gates.md "Providers")`);
  }
  return invalidThrow(issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)', issue.message);
}

function invalidThrow(field: string, message: string): never {
  throw invalid(field, message);
}

function assertWriter(actor: Actor, action: string): void {
  if (actor.role === 'viewer') {
    throw new KairosError('forbidden', `viewers cannot ${action}; ask an admin for a member key`, { status: 403 });
  }
}

function nameTaken(name: string): KairosError {
  return new KairosError('conflict', `you already have a provider named "${name}": choose another name`, {
    status: 409,
    details: { field: 'name', name },
  });
}

export function createProviderService(options: ProviderServiceOptions): ProviderService {
  const { db, clock } = options;

  async function checkBaseUrl(value: string): Promise<void> {
    if (!options.checkUrl) return;
    const url = new URL(value);
    try {
      await options.checkUrl(url);
    } catch (error) {
      throw invalid('base_url', (error as Error).message, { host: url.hostname });
    }
  }

  async function withUsage(providers: Provider[]): Promise<ProviderView[]> {
    const usage = await providerUsage(
      db,
      providers.map((p) => p.id),
      new Date(clock.now() - providerWindowMs),
    );
    const byId = new Map(usage.map((u) => [u.id, u]));
    return providers.map((provider) => {
      const u = byId.get(provider.id);
      return { provider, usage: { requests: u?.requests ?? 0, tokens: u?.tokens ?? 0, running: u?.running ?? 0 } };
    });
  }

  async function visible(actor: Actor, id: string): Promise<Provider> {
    const provider = uuidPattern.test(id) ? await findProvider(db, id) : undefined;
    if (!provider || (actor.role !== 'admin' && provider.ownerId !== actor.userId)) throw notFound('provider', id);
    return provider;
  }

  const one = async (provider: Provider) => (await withUsage([provider]))[0]!;

  return {
    async create(actor, input) {
      assertWriter(actor, 'create providers');
      const parsed = parse(providerCreateSchema, input);
      await checkBaseUrl(parsed.base_url);
      const provider = await insertProvider(db, {
        ownerId: actor.userId,
        name: parsed.name,
        baseUrl: parsed.base_url,
        apiKey: parsed.api_key ?? null,
        rpm: parsed.rpm ?? null,
        tpm: parsed.tpm ?? null,
        maxConcurrent: parsed.max_concurrent ?? null,
      });
      if (!provider) throw nameTaken(parsed.name);
      return one(provider);
    },

    get: async (actor, id) => one(await visible(actor, id)),

    async list(actor, filter = {}) {
      const parsed = parse(providerListSchema, filter);
      const { items, total } = await listProviders(db, actor.role === 'admin' ? null : actor.userId, parsed);
      return { items: await withUsage(items), total };
    },

    async update(actor, id, patch) {
      assertWriter(actor, 'change providers');
      await visible(actor, id);
      const parsed = parse(providerUpdateSchema, patch);
      if (parsed.base_url !== undefined) await checkBaseUrl(parsed.base_url);
      const updated = await updateProvider(db, id, {
        name: parsed.name,
        baseUrl: parsed.base_url,
        apiKey: parsed.api_key,
        rpm: parsed.rpm,
        tpm: parsed.tpm,
        maxConcurrent: parsed.max_concurrent,
      });
      if (updated === 'conflict') throw nameTaken(parsed.name!);
      if (!updated) throw notFound('provider', id);
      return one(updated);
    },

    async delete(actor, id) {
      assertWriter(actor, 'delete providers');
      const provider = await visible(actor, id);
      await db.transaction(async (tx) => {
        const users = await assistantsNamingProvider(tx, provider);
        if (users.length > 0) {
          const names = users.map((a) => a.name).join(', ');
          throw new KairosError(
            'provider_in_use',
            `provider "${provider.name}" is named by ${users.length} assistant${users.length === 1 ? '' : 's'} ` +
              `(${names}): set their "provider" to another one or null first`,
            { status: 409, details: { id, assistants: users } },
          );
        }
        if (!(await deleteProvider(tx, id))) throw notFound('provider', id);
      });
    },

    async named(ownerId, name, field = 'provider') {
      const provider = await findProviderByName(db, ownerId, name);
      if (!provider) {
        throw invalid(
          field,
          `there is no provider named "${name}" (of the assistant's owner): create it with POST /api/v1/providers first`,
          { provider: name },
        );
      }
      return provider;
    },
  };
}

/** The public JSON view of a provider: the key as its env reference, never a value. */
export function providerToJson(view: ProviderView) {
  const { provider, usage } = view;
  return {
    id: provider.id,
    name: provider.name,
    base_url: provider.baseUrl,
    api_key: provider.apiKey,
    rpm: provider.rpm,
    tpm: provider.tpm,
    max_concurrent: provider.maxConcurrent,
    paused_until: provider.pausedUntil?.toISOString() ?? null,
    owner_id: provider.ownerId,
    usage,
    version: provider.version,
    created_at: provider.createdAt.toISOString(),
    updated_at: provider.updatedAt.toISOString(),
  };
}
