import type { AssistantService } from '../agents/assistant-service.ts';
import type { ModuleRegistry } from '../agents/module-registry.ts';
import type { Assistant } from '../agents/runtime.ts';
import { localAdmin, type Actor } from '../auth/actor.ts';
import { ConfigError } from '../config.ts';
import { KairosError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { findGraphDefaultAssistant, insertAssistant } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { advisoryXactLock } from '../store/advisory-lock.ts';
import { findWorkflowIdByRef } from '../store/workflows.ts';
import { listConfigSchedules, updateScheduleColumns } from '../store/schedules.ts';
import { findUser, findUserByName } from '../store/users.ts';
import { assertDeclaration, type ScheduleDeclaration } from './define-schedule.ts';
import type { EnsureResult } from './schedule-ensure.ts';
import type { ScheduleService } from './schedule-service.ts';

/** What happens to a config-managed schedule whose declaration left the file. */
export type PrunePolicy = 'pause' | 'delete';

/** One line of what a start did with the config file's schedules. */
export interface DeclaredScheduleReport {
  name: string;
  id: string;
  result: EnsureResult | 'paused' | 'deleted';
  changed: string[];
}

export interface DeclaredSchedulesOptions {
  db: Database;
  schedules: Pick<ScheduleService, 'ensure' | 'pause' | 'delete'>;
  assistants: Pick<AssistantService, 'resolve'>;
  registry: Pick<ModuleRegistry, 'has' | 'get' | 'source' | 'contents'>;
  logger: Logger;
  /** KAIROS_CONFIG_OWNER: a user id or name; the local admin when unset. */
  owner?: string | undefined;
  /** The instant written in prune notes (the engine's clock). */
  now: () => number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The actor declared schedules belong to. */
async function configOwner(db: Database, owner: string | undefined): Promise<Actor> {
  if (owner === undefined) return localAdmin;
  const user = (uuidPattern.test(owner) ? await findUser(db, owner) : undefined) ?? (await findUserByName(db, owner));
  if (!user || user.disabledAt) {
    throw new ConfigError(
      `KAIROS_CONFIG_OWNER names "${owner}", which is no active user: create it (kairos users create) or unset it to use the local admin`,
    );
  }
  return { userId: user.id, role: user.role };
}

/** The declarations and prune policy of the config file's contents; undefined when it declares none. */
function readDeclarations(contents: Readonly<Record<string, unknown>> | undefined, path: string) {
  if (contents?.schedules === undefined) return undefined;
  if (!Array.isArray(contents.schedules))
    throw new ConfigError(`${path}: "schedules" must be a list of defineSchedule({ name, assistant, schedule, … })`);
  const prune = contents.prune ?? 'pause';
  if (prune !== 'pause' && prune !== 'delete')
    throw new ConfigError(`${path}: "prune" must be "pause" (the default) or "delete", got ${JSON.stringify(prune)}`);
  const names = new Set<string>();
  const declarations = contents.schedules.map((item: unknown, index) => {
    const where = `${path}: schedules[${index}]`;
    try {
      assertDeclaration(item, where);
    } catch (error) {
      throw new ConfigError((error as Error).message, { cause: error });
    }
    if (names.has(item.name))
      throw new ConfigError(`${where}: two schedules are named "${item.name}"; names are the key and must be unique`);
    names.add(item.name);
    return item;
  });
  return { declarations, prune: prune as PrunePolicy };
}

/**
 * The assistant a declaration names: an assistant id or graph id the owner sees, or else a module
 * assistant of the config file, whose assistant (kind `module`, graph id = the module id) is
 * created once, under an advisory lock so that concurrent replicas create one.
 */
async function declaredAssistant(options: DeclaredSchedulesOptions, owner: Actor, ref: string): Promise<string> {
  try {
    return (await options.assistants.resolve(owner, ref)).id;
  } catch (error) {
    if (!(error instanceof KairosError && error.code === 'not_found') || !options.registry.has(ref)) throw error;
  }
  const definition = options.registry.get(ref)!;
  const { db } = options;
  const assistant: Assistant = await db.transaction(async (tx) => {
    await advisoryXactLock(tx, `${db.schema}:module-assistant:${owner.userId}:${ref}`);
    const existing = await findGraphDefaultAssistant(tx, { ownerId: owner.userId }, ref);
    if (existing) return existing;
    return insertAssistant(tx, {
      ownerId: owner.userId,
      name: definition.name,
      description: definition.description ?? null,
      kind: 'module',
      config: { module: ref },
      graphId: ref,
      metadata: { created_by: 'config' },
    });
  });
  options.logger.info({ assistant_id: assistant.id, module: ref }, 'assistant created for a module of the config file');
  return assistant.id;
}

function declarationError(path: string, name: string, error: unknown): Error {
  if (error instanceof KairosError && error.code === 'schedule_exists') {
    return new ConfigError(
      `${path}: schedule "${name}" is declared, but a schedule of that name already exists that this declaration did not create. ` +
        'Set if_exists on the declaration: "update" (make it match the declaration and manage it from now on), ' +
        '"skip" (leave the existing schedule alone) or "raise" (stop the start, the default); or rename the declaration.',
      { cause: error },
    );
  }
  return new ConfigError(`${path}: schedule "${name}": ${(error as Error).message}`, { cause: error });
}

/** Awaits a change to a schedule; false when another replica deleted it meanwhile. */
async function goneIfMissing(change: Promise<unknown>): Promise<boolean> {
  try {
    await change;
    return true;
  } catch (error) {
    if (error instanceof KairosError && error.code === 'not_found') return false;
    throw error;
  }
}

/**
 * Registers the config file's `schedules` (every replica, at every start): each declaration is
 * ensured by name for the config owner, marked `source: "config"`, by its `if_exists`. Then the
 * owner's config-managed schedules that the file no longer declares are paused with a note
 * (history kept), or deleted with `prune: "delete"`. Does nothing when the file has no
 * `schedules` key (so a replica started without the file prunes nothing). Throws a ConfigError
 * naming the schedule when a declaration is refused, which stops the start.
 */
export async function registerDeclaredSchedules(options: DeclaredSchedulesOptions): Promise<DeclaredScheduleReport[]> {
  const path = options.registry.source ?? 'the config file';
  const read = readDeclarations(options.registry.contents, path);
  if (!read) return [];
  const owner = await configOwner(options.db, options.owner);
  const reports: DeclaredScheduleReport[] = [];

  for (const declaration of read.declarations) {
    const { name, assistant, assistant_id, workflow, if_exists, ...fields } = declaration as ScheduleDeclaration;
    try {
      const target =
        workflow !== undefined
          ? { workflow_id: await declaredWorkflow(options.db, owner.userId, workflow) }
          : { assistant_id: await declaredAssistant(options, owner, (assistant ?? assistant_id)!) };
      const outcome = await options.schedules.ensure(
        owner,
        { ...fields, name, ...target },
        { ifExists: if_exists ?? 'raise', source: 'config' },
      );
      reports.push({ name, id: outcome.schedule.id, result: outcome.result, changed: outcome.changed });
    } catch (error) {
      throw declarationError(path, name, error);
    }
  }

  const declared = new Set(read.declarations.map((declaration) => declaration.name));
  for (const row of await listConfigSchedules(options.db, owner.userId)) {
    if (declared.has(row.name)) continue;
    if (read.prune === 'delete') {
      if (!(await goneIfMissing(options.schedules.delete(owner, row.id)))) continue;
      reports.push({ name: row.name, id: row.id, result: 'deleted', changed: [] });
      continue;
    }
    if (row.source_note !== null && !row.enabled) continue; // pruned by an earlier start
    if (!(await goneIfMissing(options.schedules.pause(owner, row.id)))) continue;
    const note = `paused at ${new Date(options.now()).toISOString()}: no longer declared in ${path}; declare it again to resume it, or delete it`;
    await updateScheduleColumns(options.db, row.id, { source_note: note }, new Date(options.now()));
    reports.push({ name: row.name, id: row.id, result: 'paused', changed: ['enabled'] });
  }

  for (const report of reports)
    options.logger.info(
      { schedule_id: report.id, schedule: report.name, result: report.result, changed: report.changed },
      `declared schedule ${report.result}`,
    );
  return reports;
}

/**
 * A declaration's workflow: a workflow id, or the name of one of the owner's workflows (those
 * the config file declares are registered before its schedules).
 */
async function declaredWorkflow(db: Database, ownerId: string, ref: string): Promise<string> {
  const id = await findWorkflowIdByRef(db, ownerId, ref);
  if (!id) {
    throw new KairosError(
      'not_found',
      `workflow "${ref}" was not found: give the id or the name of a workflow the config owner has (declare it under "workflows")`,
      {
        status: 404,
      },
    );
  }
  return id;
}
