import { randomUUID } from 'node:crypto';
import type { AssistantService } from '../agents/assistant-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import { KairosError, invalid } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import {
  countSchedulesOwnedBy,
  findScheduleByName,
  insertSchedule,
  lockScheduleOwner,
  setScheduleConfig,
  updateScheduleColumns,
  type ScheduleRow,
  type ScheduleSource,
} from '../store/schedules.ts';
import { usableThread } from '../auth/access.ts';
import { firstFireAt, occurrenceSpecOf } from './next-fire.ts';
import { changedFields, differingColumns, timingColumns } from './schedule-diff.ts';
import {
  parseScheduleInput,
  scheduleCreateSchema,
  type ParsedCreate,
  type ScheduleCreateInput,
} from './schedule-input.ts';
import { toScheduleResource, type ScheduleResource } from './schedule-resource.ts';
import { newScheduleColumns, type SpecRules } from './schedule-spec.ts';
import type { PrecheckService } from '../gates/precheck-service.ts';

/** What to do when the name is taken: make it match, leave it alone, or refuse. */
export const ifExistsPolicies = ['update', 'skip', 'raise'] as const;
export type IfExists = (typeof ifExistsPolicies)[number];

/** What an ensure did; the CLI prints it per schedule. */
export type EnsureResult = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface EnsureOutcome {
  result: EnsureResult;
  /** The request fields that changed (`schedule`, `input_template`, …); empty unless `updated`. */
  changed: string[];
  schedule: ScheduleResource;
}

export interface EnsureOptions {
  /**
   * `raise` (default): a name taken by a schedule that this source did not create is a 409
   * `schedule_exists`; one it created is updated. `update`: make the stored schedule match (and
   * manage it from now on). `skip`: leave an existing schedule alone.
   */
  ifExists?: IfExists;
  /** `config` for the config file's declarations, `apply` for the by-name upsert of the API. */
  source?: Exclude<ScheduleSource, 'api'>;
}

/** A body to ensure: a create body whose `name` is required (it is the key). */
export type ScheduleEnsureInput = ScheduleCreateInput & { name: string };

/** The target columns of a schedule (see ScheduleService's target check). */
export type TargetColumns = Pick<ScheduleRow, 'target_kind' | 'assistant_id' | 'workflow_id'>;

export interface EnsureDeps {
  db: Database;
  clock: Clock;
  rules: SpecRules;
  /** KAIROS_MAX_SCHEDULES_PER_USER (0: no cap). */
  cap: number;
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** Resolves and checks the target: exactly one of an assistant (id or graph id) and a workflow. */
  target(
    actor: Actor,
    assistantRef: string | undefined,
    workflowId: string | undefined,
  ): Promise<{ columns: TargetColumns }>;
  notifyScheduler(tx: Queryable, row: ScheduleRow): Promise<void>;
  cancelPending(tx: Queryable, id: string, now: Date, reason: string): Promise<void>;
  /** Checks the `precheck` (CEL, timeout, address guard); see src/gates. */
  prechecks?: Pick<PrecheckService, 'validate'>;
}

export function scheduleExists(row: ScheduleRow, source: ScheduleSource): KairosError {
  return new KairosError(
    'schedule_exists',
    `a schedule named "${row.name}" already exists (${row.id}, source "${row.source}") and was not created by this ${source === 'config' ? 'declaration' : 'apply'}; ` +
      'choose if_exists "update" (make it match and manage it from now on), "skip" (leave it alone) or "raise" (refuse, the default), or rename it',
    {
      status: 409,
      details: { field: 'name', name: row.name, id: row.id, source: row.source, options: ifExistsPolicies },
    },
  );
}

/**
 * The columns the declaration asks for. An interval declared without `anchor` keeps its stored
 * anchor (the default, "now", would otherwise differ on every start), and a one-time `at` that
 * is unchanged is not refused for having passed.
 */
function desiredColumns(input: ParsedCreate, current: ScheduleRow | undefined, rules: SpecRules, now: number) {
  const spec = typeof input.schedule === 'object' ? input.schedule : undefined;
  const sameAt = current?.kind === 'once' && spec?.at !== undefined && current.at?.getTime() === Date.parse(spec.at);
  const columns: Record<string, unknown> = newScheduleColumns(input, rules, sameAt ? current.at!.getTime() : now);
  if (current?.kind === 'interval' && columns.kind === 'interval' && spec?.anchor === undefined)
    delete columns.anchor_at;
  return columns;
}

/**
 * Creates the schedule named `body.name` for the actor, or reconciles the one that exists, in
 * one transaction under the owner's advisory lock, so that any number of concurrent callers (ten
 * replicas starting at once) end with one schedule per name. An update writes only the columns
 * that differ and recomputes the next fire time only when a timing column changed (or the
 * schedule is enabled again).
 */
export async function ensureSchedule(
  deps: EnsureDeps,
  actor: Actor,
  body: ScheduleEnsureInput,
  options: EnsureOptions = {},
): Promise<EnsureOutcome> {
  const ifExists = options.ifExists ?? 'raise';
  if (!ifExistsPolicies.includes(ifExists))
    throw invalid('if_exists', 'must be "update", "skip" or "raise"', { value: ifExists });
  const source = options.source ?? 'apply';
  const input = parseScheduleInput(scheduleCreateSchema, body);
  if (input.name === undefined) throw invalid('name', 'is required: it is the key that identifies the schedule');
  const name = input.name;
  const { db, clock, rules } = deps;
  await deps.prechecks?.validate(input.precheck);
  const { columns: target } = await deps.target(actor, input.assistant_id, input.workflow_id);
  if (input.thread_id) await usableThread(db, actor, input.thread_id);

  return db.transaction(async (tx) => {
    await lockScheduleOwner(tx, db.schema, actor.userId);
    const now = clock.now();
    const current = await findScheduleByName(tx, actor.userId, name, { forUpdate: true });
    if (!current)
      return {
        result: 'created',
        changed: [],
        schedule: toScheduleResource(await insertNew(deps, tx, actor, input, name, target, source, now)),
      };
    if (ifExists === 'skip') return { result: 'skipped', changed: [], schedule: toScheduleResource(current) };
    if (ifExists === 'raise' && current.source !== source) throw scheduleExists(current, source);

    const desired = { ...desiredColumns(input, current, rules, now), ...target, source, source_note: null };
    const changes = differingColumns(current, desired);
    const configChanged = differingColumns(current, { config: input.config }).config !== undefined;
    const fields = changedFields([
      ...Object.keys(changes).filter((column) => column !== 'source_note'),
      ...(configChanged ? ['config'] : []),
    ]);
    if (Object.keys(changes).length === 0 && !configChanged)
      return { result: 'unchanged', changed: [], schedule: toScheduleResource(current) };

    const merged = { ...current, ...changes } as ScheduleRow;
    const reenabled = merged.enabled && !current.enabled;
    if (Object.keys(changes).some((column) => timingColumns.has(column)) || reenabled) {
      const remaining = merged.max_runs === null ? null : merged.max_runs - current.occurrence_count;
      const next = firstFireAt(occurrenceSpecOf(merged), now, current.last_scheduled_for?.getTime() ?? null, remaining);
      changes.next_run_at = next === null ? null : new Date(next);
      changes.completed_at = next === null ? (current.completed_at ?? new Date(now)) : null;
    }
    if (configChanged) await setScheduleConfig(tx, current.id, input.config);
    const updated = (await updateScheduleColumns(
      tx,
      current.id,
      changes as Parameters<typeof updateScheduleColumns>[2],
      new Date(now),
    ))!;
    if (current.enabled && !updated.enabled)
      await deps.cancelPending(tx, current.id, new Date(now), 'the schedule was disabled by its declaration');
    await deps.notifyScheduler(tx, updated);
    return {
      result: fields.length > 0 ? 'updated' : 'unchanged',
      changed: fields,
      schedule: toScheduleResource(updated),
    };
  });
}

async function insertNew(
  deps: EnsureDeps,
  tx: Queryable,
  actor: Actor,
  input: ParsedCreate,
  name: string,
  target: TargetColumns,
  source: ScheduleSource,
  now: number,
): Promise<ScheduleRow> {
  if (deps.cap > 0 && (await countSchedulesOwnedBy(tx, actor.userId)) >= deps.cap) {
    throw new KairosError(
      'schedule_cap_reached',
      `you already own ${deps.cap} schedules, the most allowed (KAIROS_MAX_SCHEDULES_PER_USER); delete one first`,
      {
        status: 429,
        details: { cap: deps.cap },
      },
    );
  }
  const columns = { ...newScheduleColumns(input, deps.rules, now), ...target };
  const next = firstFireAt(occurrenceSpecOf(columns), now, null, columns.max_runs);
  const id = randomUUID();
  let row = await insertSchedule(tx, {
    ...columns,
    id,
    name,
    owner_id: actor.userId,
    source,
    next_run_at: next === null ? null : new Date(next),
    completed_at: next === null ? new Date(now) : null,
    created_at: new Date(now),
  });
  if (Object.keys(input.config).length > 0) row = await setScheduleConfig(tx, id, input.config);
  await deps.notifyScheduler(tx, row);
  return row;
}
