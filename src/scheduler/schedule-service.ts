import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import { assertAdmin, assertCanWrite, canSee, type Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { KairosError, invalid, notFound } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import { insertRuns } from '../store/runs.ts';
import { cancelRunsAhead } from '../store/cancel-runs-ahead.ts';
import { appendScheduleEvents, listScheduleEvents } from '../store/schedule-events.ts';
import {
  countSchedulesOwnedBy,
  deleteSchedule,
  findSchedule,
  insertSchedule,
  listSchedules,
  reserveRunNumbers,
  type ScheduleCreator,
  type ScheduleCursor,
  type ScheduleOrder,
  updateScheduleColumns,
  type ScheduleRow,
} from '../store/schedules.ts';
import { toRunResource, type RunResource } from '../worker/run-resource.ts';
import { findRun } from '../store/runs.ts';
import { runnableAssistant, usableThread } from './access.ts';
import type { WorkflowService } from '../workflows/workflow-service.ts';
import { backfillSchedule, type BackfillInput, type BackfillResult } from './backfill.ts';
import { renderInputTemplate } from './input-template.ts';
import { firstFireAt, occurrenceSpecOf } from './next-fire.ts';
import { previewOccurrences, type OccurrencePreview } from './schedule-preview.ts';
import { dstColumns } from './schedule-spec.ts';
import { scheduleStats, type ScheduleStats } from './schedule-stats.ts';
import { ensureSchedule, type EnsureOptions, type EnsureOutcome, type ScheduleEnsureInput } from './schedule-ensure.ts';
import {
  parseScheduleInput,
  pauseSchema,
  previewSchema,
  scheduleCreateSchema,
  scheduleListSchema,
  scheduleUpdateSchema,
  type PauseInput,
  type PreviewInput,
  type ScheduleCreateInput,
  type ScheduleListInput,
  type ScheduleUpdateInput,
} from './schedule-input.ts';
import { nextFireOf, toScheduleResource, type ScheduleResource } from './schedule-resource.ts';
import { changedColumns, newScheduleColumns, specColumns, type SpecRules } from './schedule-spec.ts';

export interface ScheduleServiceOptions {
  db: Database;
  clock: Clock;
  config: Pick<Config['scheduler'], 'allowSeconds' | 'maxSchedulesPerUser' | 'requireAdmin'>;
  /** Manual runs must start within this long (`capacity` otherwise). */
  startDeadlineMs: number;
  /** Resolves and checks the assistant a schedule targets (an id or a graph id). */
  assistants: Pick<AssistantService, 'assertRunnable'>;
  /** Checks the workflow a schedule targets (`workflow_id`); without it, workflow targets are refused. */
  workflows?: Pick<WorkflowService, 'runnable'>;
}

/** Schedules after `cursor` (keyset on created_at, id): the list's `next_cursor`. */
export interface ScheduleListPage {
  items: ScheduleResource[];
  total: number;
  /** Pass as `cursor` to read the next page; null on the last page. */
  next_cursor: string | null;
}

export interface TriggerOptions {
  /** `obey` (default): the manual run follows the schedule's overlap policy; `override` starts regardless. */
  overlap?: 'obey' | 'override';
  /** Input for this run instead of the rendered `input_template`. */
  input?: unknown;
}

export type SchedulePreview = OccurrencePreview;

interface ScheduleEvent {
  id: number;
  at: string;
  kind: string;
  data: unknown;
}

const uniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** Filters of {@link ScheduleService.search}. */
export interface ScheduleSearch {
  /** An assistant id or a graph id (every assistant of that graph). */
  assistantRef?: string;
  threadId?: string;
  enabled?: boolean;
  metadata?: Record<string, unknown>;
  orderBy?: ScheduleOrder;
  limit: number;
  offset: number;
}

/** The `schedules.config` column: not one of the spec's columns, so written on its own. */
async function setConfig(tx: Queryable, id: string, config: Record<string, unknown>): Promise<ScheduleRow> {
  const { rows } = await tx.query<ScheduleRow>('UPDATE schedules SET config = $2::jsonb WHERE id = $1 RETURNING *', [
    id,
    JSON.stringify(config),
  ]);
  return rows[0]!;
}

/** An opaque cursor: the last row's created_at (microseconds since the epoch) and id. */
function encodeCursor(row: ScheduleRow & { created_us?: string }): string {
  return Buffer.from(JSON.stringify([row.created_us, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): ScheduleCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      /^-?\d+$/.test(value[0]) &&
      z.uuid().safeParse(value[1]).success
    ) {
      return { createdUs: value[0], id: value[1] as string };
    }
  } catch {
    // reported below
  }
  throw invalid('cursor', 'is not a cursor this server gave out: pass the next_cursor of the previous page', {
    location: 'query',
  });
}

/**
 * Schedules: create, read, list, update, pause, resume, delete, trigger, preview, stats. Every
 * method takes the calling actor: admins see every schedule, others only their own (another
 * user's schedule is `not_found`, 404). Bodies are parsed strictly with zod at this edge.
 *
 * @example
 * const schedule = await kairos.schedules.create(actor, {
 *   assistant_id, schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
 *   input_template: 'Generate the daily summary for {{date}}.',
 * });
 * schedule.next_run_at // '2026-03-09T13:00:00.000Z'
 */
export class ScheduleService {
  private readonly rules: SpecRules;

  constructor(private readonly options: ScheduleServiceOptions) {
    this.rules = { allowSeconds: options.config.allowSeconds };
  }

  /** `options.createdBy` records an agent that created the schedule for its owner (the scheduler tools). */
  async create(
    actor: Actor,
    body: ScheduleCreateInput,
    options: { createdBy?: ScheduleCreator } = {},
  ): Promise<ScheduleResource> {
    this.assertMayWrite(actor);
    const input = parseScheduleInput(scheduleCreateSchema, body);
    const { db, clock } = this.options;
    const now = clock.now();
    const target = await this.target(actor, input.assistant_id, input.workflow_id);
    const columns = { ...newScheduleColumns(input, this.rules, now), ...target.columns };
    if (columns.thread_id) await usableThread(db, actor, columns.thread_id);
    const id = randomUUID();
    const name = input.name ?? `${target.name}-${id.slice(0, 8)}`;
    const next = firstFireAt(occurrenceSpecOf(columns), now, null, columns.max_runs);
    const cap = this.options.config.maxSchedulesPerUser;
    try {
      const row = await db.transaction(async (tx) => {
        // Serialises creates per owner, so concurrent creates cannot pass the cap together.
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `${db.schema}:schedule-owner:${actor.userId}`,
        ]);
        if (cap > 0 && (await countSchedulesOwnedBy(tx, actor.userId)) >= cap) {
          throw new KairosError(
            'schedule_cap_reached',
            `you already own ${cap} schedules, the most allowed (KAIROS_MAX_SCHEDULES_PER_USER); delete one first`,
            {
              status: 429,
              details: { cap },
            },
          );
        }
        let inserted = await insertSchedule(tx, {
          ...columns,
          id,
          name,
          owner_id: actor.userId,
          next_run_at: next === null ? null : new Date(next),
          completed_at: next === null ? new Date(now) : null,
          created_at: new Date(now),
          ...(options.createdBy && { created_by: options.createdBy }),
        });
        if (Object.keys(input.config).length > 0) inserted = await setConfig(tx, id, input.config);
        await this.notifyScheduler(tx, inserted);
        return inserted;
      });
      return toScheduleResource(row);
    } catch (error) {
      if (uniqueViolation(error)) throw this.nameTaken(name);
      throw error;
    }
  }

  /**
   * The idempotent upsert by name (config declarations, `PUT /schedules/by-name/{name}`, SDK
   * `ensure`, CLI `apply`): creates the actor's schedule `body.name`, or updates, skips or refuses
   * an existing one by `options.ifExists` (see schedule-ensure.ts). Race-free across replicas.
   */
  async ensure(actor: Actor, body: ScheduleEnsureInput, options: EnsureOptions = {}): Promise<EnsureOutcome> {
    this.assertMayWrite(actor);
    const { db, clock, assistants, config } = this.options;
    try {
      return await ensureSchedule(
        {
          db,
          clock,
          assistants,
          rules: this.rules,
          cap: config.maxSchedulesPerUser,
          target: (who, assistantRef, workflowId) => this.target(who, assistantRef, workflowId),
          notifyScheduler: (tx, row) => this.notifyScheduler(tx, row),
          cancelPending: (tx, id, now, reason) => this.cancelPending(tx, id, now, reason),
        },
        actor,
        body,
        options,
      );
    } catch (error) {
      if (uniqueViolation(error)) throw this.nameTaken(body.name);
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<ScheduleResource> {
    return toScheduleResource(await this.visible(actor, id));
  }

  /**
   * Newest first. Filters: `status` (active, paused, completed), `enabled`, `name` (contains,
   * case-insensitive), `metadata` (every key equals); paging by `offset` or by `cursor`.
   */
  async list(actor: Actor, filters: ScheduleListInput = {}): Promise<ScheduleListPage> {
    const input = parseScheduleInput(scheduleListSchema, filters);
    // owner_id is a filter, never ignored: a non-admin naming another user is refused (as for keys).
    if (actor.role !== 'admin' && input.owner_id !== undefined && input.owner_id !== actor.userId)
      assertAdmin(actor, "list other users' schedules");
    const ownerId = actor.role === 'admin' ? input.owner_id : actor.userId;
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    if (after && input.sort)
      throw invalid('cursor', 'a cursor follows the default order: page with offset when sorting');
    const { rows, total } = await listSchedules(this.options.db, {
      ...(ownerId && { ownerId }),
      ...(input.assistant_id && { assistantId: input.assistant_id }),
      ...(input.workflow_id && { workflowId: input.workflow_id }),
      ...(input.thread_id && { threadId: input.thread_id }),
      ...(input.status && { state: input.status }),
      ...(input.enabled !== undefined && { enabled: input.enabled }),
      ...(input.name && { nameContains: input.name }),
      ...(input.metadata && { metadata: input.metadata }),
      ...(input.q && { search: input.q }),
      ...(input.failing && { failing: true }),
      ...(input.ids && { ids: input.ids }),
      ...(input.sort && { orderBy: sortOf(input.sort) }),
      ...(after && { after }),
      limit: input.limit + 1, // one more tells whether a next page exists
      offset: input.offset,
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map(toScheduleResource),
      total,
      next_cursor: last && rows.length > input.limit ? encodeCursor(last) : null,
    };
  }

  /**
   * The LangGraph cron search: the same filters plus `assistantRef` (an assistant id or a graph
   * id) and an order, for the `/runs/crons/search|count` routes.
   */
  async search(actor: Actor, filters: ScheduleSearch): Promise<{ items: ScheduleResource[]; total: number }> {
    const ownerId = actor.role === 'admin' ? undefined : actor.userId;
    const { rows, total } = await listSchedules(this.options.db, {
      ...(ownerId && { ownerId }),
      ...(filters.assistantRef !== undefined && { assistantRef: filters.assistantRef }),
      ...(filters.threadId !== undefined && { threadId: filters.threadId }),
      ...(filters.enabled !== undefined && { enabled: filters.enabled }),
      ...(filters.metadata !== undefined && { metadata: filters.metadata }),
      ...(filters.orderBy !== undefined && { orderBy: filters.orderBy }),
      limit: filters.limit,
      offset: filters.offset,
    });
    return { items: rows.map(toScheduleResource), total };
  }

  /**
   * Changes the given fields. Changing `schedule` (or its zone), `start_at`, `end_at` or
   * `max_runs` recomputes the next fire time; any other change keeps it.
   */
  async update(actor: Actor, id: string, body: ScheduleUpdateInput): Promise<ScheduleResource> {
    this.assertMayWrite(actor);
    const patch = parseScheduleInput(scheduleUpdateSchema, body);
    await this.visible(actor, id);
    const { db, clock } = this.options;
    const assistantId =
      patch.assistant_id === undefined
        ? undefined
        : (await runnableAssistant(this.options.assistants, actor, patch.assistant_id)).id;
    if (patch.workflow_id !== undefined) await this.runnableWorkflow(actor, patch.workflow_id);
    if (patch.thread_id) await usableThread(db, actor, patch.thread_id);
    try {
      const row = await db.transaction(async (tx) => {
        const current = (await findSchedule(tx, id, { forUpdate: true })) ?? this.missing(id);
        const now = clock.now();
        const { changes, timing } = changedColumns(current, patch, this.rules, now);
        if (assistantId !== undefined) changes.assistant_id = assistantId;
        const pauseState: Partial<Pick<ScheduleRow, 'paused_at' | 'paused_by' | 'pause_note'>> = {};
        if (changes.enabled === false && current.enabled)
          Object.assign(pauseState, { paused_at: new Date(now), paused_by: actor.userId, pause_note: null });
        if (changes.enabled === true && !current.enabled)
          Object.assign(pauseState, { paused_at: null, paused_by: null, pause_note: null });
        if (patch.config !== undefined) await setConfig(tx, id, patch.config);
        const merged = { ...current, ...changes };
        const engine: Partial<Pick<ScheduleRow, 'next_run_at' | 'completed_at'>> = {};
        if (timing) {
          const remaining = merged.max_runs === null ? null : merged.max_runs - current.occurrence_count;
          const next = firstFireAt(
            occurrenceSpecOf(merged),
            now,
            current.last_scheduled_for?.getTime() ?? null,
            remaining,
          );
          engine.next_run_at = next === null ? null : new Date(next);
          engine.completed_at = next === null ? (current.completed_at ?? new Date(now)) : null;
        }
        const updated = (await updateScheduleColumns(tx, id, { ...changes, ...engine, ...pauseState }, new Date(now)))!;
        await this.notifyScheduler(tx, updated);
        return updated;
      });
      return toScheduleResource(row);
    } catch (error) {
      if (uniqueViolation(error)) throw this.nameTaken(patch.name ?? '');
      throw error;
    }
  }

  /**
   * Stops firing; keeps the whole configuration. The note, who paused and when are shown on the
   * schedule (`paused`) until it is resumed. Only runs created ahead of their time are cancelled:
   * a run that is already due (waiting for a slot or for recovery) or already attempted still runs.
   */
  async pause(actor: Actor, id: string, body: PauseInput = {}): Promise<ScheduleResource> {
    this.assertMayWrite(actor);
    const { note } = parseScheduleInput(pauseSchema, body ?? {});
    await this.visible(actor, id);
    const { db, clock } = this.options;
    const row = await db.transaction(async (tx) => {
      const now = new Date(clock.now());
      const current = (await findSchedule(tx, id, { forUpdate: true })) ?? this.missing(id);
      // Pausing a paused schedule may change its note, but keeps when and by whom it was paused.
      const since =
        !current.enabled && current.paused_at
          ? { paused_at: current.paused_at, paused_by: current.paused_by }
          : { paused_at: now, paused_by: actor.userId };
      const updated = (await updateScheduleColumns(
        tx,
        id,
        { enabled: false, ...since, pause_note: note ?? (current.enabled ? null : current.pause_note) },
        now,
      ))!;
      if (current.enabled) {
        await appendScheduleEvents(tx, [
          { scheduleId: id, kind: 'paused', at: now, data: { by: actor.userId, automatic: false, note: note ?? null } },
        ]);
      }
      const cancelled = await cancelRunsAhead(tx, [id], now, 'the schedule was paused');
      await this.notifyFinished(tx, cancelled);
      return updated;
    });
    return toScheduleResource(row);
  }

  /**
   * Fires again. What was missed while paused is not fired, unless the misfire policy asks for it
   * (`run_once`: one run for the missed occurrences within the catch-up window; `run_all`: each).
   */
  async resume(actor: Actor, id: string): Promise<ScheduleResource> {
    this.assertMayWrite(actor);
    await this.visible(actor, id);
    const { db, clock } = this.options;
    const row = await db.transaction(async (tx) => {
      const current = (await findSchedule(tx, id, { forUpdate: true })) ?? this.missing(id);
      if (current.enabled) return current;
      const now = clock.now();
      const changes: Partial<Pick<ScheduleRow, 'enabled' | 'next_run_at' | 'paused_at' | 'paused_by' | 'pause_note'>> =
        {
          enabled: true,
          paused_at: null,
          paused_by: null,
          pause_note: null,
        };
      if (current.misfire === 'skip' && !current.completed_at) {
        const remaining = current.max_runs === null ? null : current.max_runs - current.occurrence_count;
        const next = firstFireAt(
          occurrenceSpecOf(current),
          now,
          current.last_scheduled_for?.getTime() ?? null,
          remaining,
        );
        changes.next_run_at = next === null ? null : new Date(next);
      }
      // A resumed streak starts over, or pause_after_failures would pause it again at the next failure.
      if (current.pause_after_failures !== null && current.consecutive_failures >= current.pause_after_failures) {
        Object.assign(changes, { consecutive_failures: 0, alerted_streak: false });
      }
      const updated = (await updateScheduleColumns(tx, id, changes, new Date(now)))!;
      await appendScheduleEvents(tx, [
        { scheduleId: id, kind: 'resumed', at: new Date(now), data: { by: actor.userId } },
      ]);
      await this.notifyScheduler(tx, updated);
      return updated;
    });
    return toScheduleResource(row);
  }

  /** Deletes the schedule; its pending runs are cancelled, its run history is kept. */
  async delete(actor: Actor, id: string): Promise<void> {
    this.assertMayWrite(actor);
    await this.visible(actor, id);
    const { db, clock } = this.options;
    await db.transaction(async (tx) => {
      await this.cancelPending(tx, id, new Date(clock.now()), 'the schedule was deleted');
      await deleteSchedule(tx, id);
    });
  }

  /**
   * Creates a run now, tagged `trigger: "manual"`, with the next run number. It follows the
   * overlap policy unless `overlap: 'override'`; the schedule's next fire time does not move.
   */
  async trigger(actor: Actor, id: string, options: TriggerOptions = {}): Promise<RunResource> {
    this.assertMayWrite(actor);
    const overlap = z.enum(['obey', 'override']).optional().safeParse(options.overlap);
    if (!overlap.success) throw invalid('overlap', 'must be "obey" or "override"');
    const visible = await this.visible(actor, id);
    if (visible.assistant_id) await runnableAssistant(this.options.assistants, actor, visible.assistant_id);
    if (visible.workflow_id) await this.runnableWorkflow(actor, visible.workflow_id);
    const { db, clock, startDeadlineMs } = this.options;
    const runId = randomUUID();
    await db.transaction(async (tx) => {
      const runNumber = (await reserveRunNumbers(tx, id, 1)) ?? this.missing(id);
      const schedule = (await findSchedule(tx, id))!;
      const now = clock.now();
      await insertRuns(tx, [
        {
          id: runId,
          schedule_id: id,
          assistant_id: schedule.assistant_id,
          workflow_id: schedule.workflow_id,
          thread_id: schedule.thread_id,
          owner_id: schedule.owner_id,
          trigger: 'manual',
          scheduled_for: new Date(now),
          not_before: new Date(now),
          start_deadline: new Date(now + startDeadlineMs),
          run_number: runNumber,
          input:
            options.input !== undefined
              ? options.input
              : renderInputTemplate(schedule.input_template, {
                  occurrenceMs: now,
                  timezone: schedule.timezone,
                  runNumber,
                  scheduleId: id,
                  scheduleName: schedule.name,
                }),
          metadata: { triggered_by: actor.userId, overlap: overlap.data ?? 'obey' },
          max_attempts: schedule.retry_max_attempts,
          timeout_ms: schedule.timeout_ms,
          retry_backoff_ms: schedule.retry_backoff_ms,
          retry_backoff_factor: schedule.retry_backoff_factor,
          retry_backoff_max_ms: schedule.retry_backoff_max_ms,
          ignore_overlap: overlap.data === 'override',
          created_at: new Date(now),
        },
      ]);
      await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(now)]);
    });
    return toRunResource((await findRun(db, runId))!);
  }

  /**
   * Creates one run per occurrence in `(from, to]` that has no run yet (`trigger: "backfill"`,
   * oldest first, at most 1,000 per request); with `dry_run`, only counts them. Running it
   * twice creates nothing new. See {@link backfillSchedule}.
   *
   * @example
   * await kairos.schedules.backfill(actor, id, { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z', dry_run: true })
   * // { occurrences: 7, existing: 2, runs: 5, … }
   */
  async backfill(actor: Actor, id: string, body: BackfillInput): Promise<BackfillResult> {
    this.assertMayWrite(actor);
    const visible = await this.visible(actor, id);
    if (visible.assistant_id) await runnableAssistant(this.options.assistants, actor, visible.assistant_id);
    const { db, clock, startDeadlineMs } = this.options;
    return backfillSchedule({ db, now: clock.now(), actorId: actor.userId, startDeadlineMs }, visible, body);
  }

  /** The next `count` fire times of a schedule spec (not saved), for live previews. */
  preview(body: PreviewInput, options: { count?: number; from?: Date } = {}): SchedulePreview {
    const input = parseScheduleInput(previewSchema, body);
    const now = options.from?.getTime() ?? this.options.clock.now();
    const startAt = input.start_at ? new Date(input.start_at) : null;
    const columns = specColumns(input.schedule, this.rules, now, startAt);
    const spec = occurrenceSpecOf({
      ...columns,
      start_at: startAt,
      end_at: input.end_at ? new Date(input.end_at) : null,
      ...dstColumns(input.dst),
      exclude_dates: input.exclude_dates ?? [],
    });
    const count = Math.min(Math.max(options.count ?? 5, 1), 100);
    return previewOccurrences(spec, now, count, { seconds: this.rules.allowSeconds });
  }

  /** A saved schedule's next fire times, excluded occurrences and next DST change, from now. */
  async previewSaved(actor: Actor, id: string, options: { count?: number } = {}): Promise<SchedulePreview> {
    const row = await this.visible(actor, id);
    const count = row.completed_at ? 0 : Math.min(Math.max(options.count ?? 5, 1), 100);
    return previewOccurrences(occurrenceSpecOf(row), this.options.clock.now(), count, {
      seconds: row.cron?.trim().split(/\s+/).length === 6,
      lastScheduledFor: row.last_scheduled_for?.getTime() ?? null,
    });
  }

  /** Success rate, counts by status and failure reason, streak, durations, last and next run. */
  async stats(actor: Actor, id: string, options: { windowMs?: number } = {}): Promise<ScheduleStats> {
    const row = await this.visible(actor, id);
    const windowMs = options.windowMs ?? 7 * 86_400_000;
    const stats =
      (await scheduleStats(this.options.db, id, { now: this.options.clock.now(), windowMs })) ?? this.missing(id);
    // next_run_at may hold an occurrence on an excluded date (counted when due): show the next fire.
    return stats.next_run_at === null ? stats : { ...stats, next_run_at: nextFireOf(row)?.toISOString() ?? null };
  }

  /** Alerts, missed occurrences and completion, newest first. */
  async events(actor: Actor, id: string, options: { kind?: string; limit?: number } = {}): Promise<ScheduleEvent[]> {
    await this.visible(actor, id);
    const rows = await listScheduleEvents(this.options.db, id, options);
    return rows.map((row) => ({ id: row.id, at: row.at.toISOString(), kind: row.kind, data: row.data }));
  }

  /** The target of a new schedule: exactly one of an assistant (id or graph id) and a workflow. */
  private async target(
    actor: Actor,
    assistantRef: string | undefined,
    workflowId: string | undefined,
  ): Promise<{ name: string; columns: Pick<ScheduleRow, 'target_kind' | 'assistant_id' | 'workflow_id'> }> {
    if ((assistantRef === undefined) === (workflowId === undefined)) {
      throw invalid(
        assistantRef === undefined ? 'assistant_id' : 'workflow_id',
        assistantRef === undefined
          ? 'give the assistant_id or the workflow_id the schedule fires'
          : 'give one of assistant_id or workflow_id, not both: a schedule targets one of them',
      );
    }
    if (workflowId !== undefined) {
      const workflow = await this.runnableWorkflow(actor, workflowId);
      return {
        name: workflow.name,
        columns: { target_kind: 'workflow', assistant_id: null, workflow_id: workflow.id },
      };
    }
    const assistant = await runnableAssistant(this.options.assistants, actor, assistantRef!);
    return {
      name: assistant.name,
      columns: { target_kind: 'assistant', assistant_id: assistant.id, workflow_id: null },
    };
  }

  private async runnableWorkflow(actor: Actor, id: string): Promise<{ id: string; name: string }> {
    if (!this.options.workflows)
      throw invalid('workflow_id', 'this server does not run workflows here (no workflow service)');
    return this.options.workflows.runnable(actor, id);
  }

  private assertMayWrite(actor: Actor): void {
    assertCanWrite(actor, 'change schedules');
    if (this.options.config.requireAdmin)
      assertAdmin(actor, 'change schedules on this server (KAIROS_SCHEDULES_REQUIRE_ADMIN)');
  }

  private async visible(actor: Actor, id: string): Promise<ScheduleRow> {
    const row = z.uuid().safeParse(id).success ? await findSchedule(this.options.db, id) : undefined;
    if (!row || !canSee(actor, row.owner_id)) throw notFound('schedule', id);
    return row;
  }

  private missing(id: string): never {
    throw notFound('schedule', id);
  }

  private nameTaken(name: string): KairosError {
    return new KairosError('name_taken', `a schedule named "${name}" already exists; choose another name`, {
      status: 409,
      details: { field: 'name', value: name },
    });
  }

  private async cancelPending(tx: Queryable, id: string, now: Date, reason: string): Promise<void> {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE runs SET status = 'cancelled', error_kind = 'cancelled', error = $3, finished_at = $2
       WHERE schedule_id = $1 AND status = 'pending' RETURNING id`,
      [id, now, reason],
    );
    await this.notifyFinished(
      tx,
      rows.map((r) => r.id),
    );
  }

  private async notifyFinished(tx: Queryable, runIds: readonly string[]): Promise<void> {
    if (runIds.length > 0) {
      await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [
        this.options.db.channelName('run_finished'),
        runIds,
      ]);
    }
  }

  private async notifyScheduler(tx: Queryable, row: ScheduleRow): Promise<void> {
    if (row.enabled && row.next_run_at) {
      await tx.query('SELECT pg_notify($1, $2)', [
        this.options.db.channelName('schedules'),
        String(row.next_run_at.getTime()),
      ]);
    }
  }
}

/** `-next_run_at` → next_run_at descending. */
function sortOf(sort: string): ScheduleOrder {
  const descending = sort.startsWith('-');
  return { column: sort.replace(/^-/, '') as ScheduleOrder['column'], direction: descending ? 'desc' : 'asc' };
}
