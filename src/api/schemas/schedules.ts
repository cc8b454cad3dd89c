import { z } from '@hono/zod-openapi';
import { ifExistsPolicies } from '../../scheduler/schedule-ensure.ts';
import { backfillSchema } from '../../scheduler/backfill.ts';
import {
  pauseSchema,
  scheduleSorts,
  previewSchema,
  scheduleCreateSchema,
  scheduleUpdateSchema,
} from '../../scheduler/schedule-input.ts';
import { BudgetView, PageQuery, Timestamp, queryBoolean } from './common.ts';
import { jsonObjectQuery } from './json-query.ts';
import { serviceBody } from './service-body.ts';
import { triggers } from '../../runs/run-status.ts';

export const ScheduleCreate = serviceBody(scheduleCreateSchema, 'ScheduleCreate');
export const ScheduleUpdate = serviceBody(scheduleUpdateSchema, 'ScheduleUpdate');

/** The preview body: the service's `{schedule, start_at, end_at}`, or the flat `{cron|at|every, timezone}`, plus `count`. */
export const SchedulePreviewBody = serviceBody(
  z.union([
    previewSchema.extend({ count: z.number().int().min(1).max(100).optional() }),
    z.strictObject({
      cron: z.string().optional(),
      at: z.string().optional(),
      every: z.union([z.number(), z.string()]).optional(),
      timezone: z.string().optional(),
      anchor: z.string().optional(),
      start_at: z.string().nullable().optional(),
      end_at: z.string().nullable().optional(),
      dst: z.unknown().optional(),
      exclude_dates: z.unknown().optional(),
      count: z.number().int().min(1).max(100).optional(),
    }),
  ]),
  'SchedulePreviewRequest',
);

export const DstTransitionEffect = z
  .object({
    at: Timestamp.openapi({ description: 'The instant the offset changes' }),
    kind: z.enum(['forward', 'backward']),
    jump_minutes: z
      .number()
      .int()
      .openapi({ description: 'Signed size of the jump (+60 spring forward, -60 fall back)' }),
    clock_change: z
      .boolean()
      .openapi({ description: 'A jump of 3 hours or more: a clock change, not DST; the policy does not apply' }),
    wall_from: z.string().openapi({ description: 'First skipped or repeated wall time (local, YYYY-MM-DDTHH:MM)' }),
    wall_to: z.string().openapi({ description: 'End of the skipped or repeated wall times (exclusive)' }),
    policy: z.object({ repeated: z.enum(['first', 'last', 'both']), skipped: z.enum(['shift', 'skip']) }),
    affected: z.number().int().openapi({ description: 'Occurrences whose wall time is skipped or repeated' }),
    fires: z.array(Timestamp).openapi({ description: 'The fires around the change under the policy' }),
    effect: z.string().openapi({ description: 'The effect in a sentence' }),
  })
  .openapi('DstTransitionEffect');

export const SchedulePreview = z
  .object({
    times: z.array(Timestamp).openapi({ description: 'The next fire times (UTC), without jitter' }),
    description: z.string().nullable().openapi({ description: 'The cron expression in words' }),
    excluded: z
      .array(Timestamp)
      .openapi({ description: 'Occurrences up to the last time shown that exclude_dates skips' }),
    dst: DstTransitionEffect.nullable().openapi({
      description: "The effect of the zone's next offset change (cron schedules)",
    }),
  })
  .openapi('SchedulePreview');

export const ScheduleTrigger = z
  .strictObject({
    input: z.unknown().optional().openapi({ description: "This run's input instead of the rendered input_template" }),
    overlap: z.enum(['obey', 'override']).optional(),
  })
  .openapi('ScheduleTrigger');

export const SchedulePause = serviceBody(pauseSchema, 'SchedulePause');
export const ScheduleBackfill = serviceBody(backfillSchema, 'ScheduleBackfill');

export const ScheduleBackfillQuery = z.object({
  dry_run: queryBoolean
    .optional()
    .openapi({ description: 'Same as `dry_run: true` in the body: count, create nothing' }),
});

export const ScheduleBackfillResult = z
  .object({
    schedule_id: z.string(),
    from: Timestamp,
    to: Timestamp,
    overlap: z.enum(['queue', 'obey']),
    dry_run: z.boolean(),
    occurrences: z.number().int().openapi({ description: 'Occurrences of the schedule in (from, to]' }),
    existing: z.number().int().openapi({ description: 'Of those, how many already had a run (left alone)' }),
    runs: z.number().int().openapi({ description: 'Runs created; with dry_run, how many a real request would create' }),
    scheduled_for: z.array(Timestamp).openapi({ description: 'The occurrences of those runs, oldest first' }),
    run_ids: z.array(z.string()).openapi({ description: 'The runs created, oldest first (empty with dry_run)' }),
  })
  .openapi('ScheduleBackfillResult');

export const Schedule = z
  .object({
    id: z.string(),
    name: z.string(),
    owner_id: z.string(),
    assistant_id: z.string().nullable(),
    workflow_id: z.string().nullable(),
    thread_id: z.string().nullable(),
    schedule: z.union([
      z.object({ cron: z.string(), timezone: z.string() }),
      z.object({ at: z.string(), timezone: z.string() }),
      z.object({ every: z.number(), anchor: z.string().nullable(), timezone: z.string() }),
    ]),
    description: z
      .string()
      .nullable()
      .openapi({ description: 'The schedule in words, e.g. "At 09:00, Monday through Friday"' }),
    input_template: z.unknown(),
    session_mode: z.enum(['new', 'persistent']),
    on_run_completed: z.enum(['delete', 'keep']),
    max_concurrent: z.number().int(),
    skip_if_running: z.boolean(),
    overlap: z.enum(['skip', 'queue', 'allow', 'cancel_previous']),
    timeout: z.number().nullable(),
    retry: z.object({
      max_attempts: z.number().int(),
      backoff: z.object({ initial_s: z.number(), factor: z.number(), max_s: z.number() }),
    }),
    misfire: z.enum(['skip', 'run_once', 'run_all']),
    catchup_window: z.number(),
    jitter: z.number(),
    start_at: Timestamp.nullable(),
    end_at: Timestamp.nullable(),
    max_runs: z.number().int().nullable(),
    enabled: z.boolean(),
    status: z.enum(['active', 'paused', 'completed']),
    next_run_at: Timestamp.nullable(),
    run_count: z.number().int(),
    missed_count: z.number().int(),
    dst: z
      .object({ repeated: z.enum(['first', 'last', 'both']).optional(), skipped: z.enum(['shift', 'skip']).optional() })
      .nullable()
      .openapi({ description: 'DST policy as given; null (or a key left out) keeps the Vixie rule for the job' }),
    exclude_dates: z
      .array(z.string())
      .openapi({ description: "Wall-clock dates (YYYY-MM-DD, in the schedule's zone) whose occurrences are skipped" }),
    excluded_count: z
      .number()
      .int()
      .openapi({ description: 'Occurrences skipped because of exclude_dates (not missed)' }),
    consecutive_failures: z.number().int(),
    last_run_at: Timestamp.nullable(),
    last_run_status: z.string().nullable(),
    alert_after: z.number().int(),
    pause_after_failures: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Pauses itself when this many runs in a row failed; null = never' }),
    overlap_counts_waiting: z.boolean().openapi({
      description:
        'Waiting runs count toward max_concurrent and the overlap policy (default false: a run parked on an approval does not block the next fire)',
    }),
    paused: z
      .object({ at: Timestamp, by: z.string().nullable(), note: z.string().nullable() })
      .nullable()
      .openapi({ description: 'While paused: when, by whom (null for an automatic pause) and why' }),
    alert_on_tokens_per_day: z.number().int().nullable(),
    budget: BudgetView.nullable().openapi({ description: 'Spending limits (docs/gates.md "Budgets"); null: none' }),
    precheck: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'A cheap check before each fire; false records the occurrence skipped (docs/gates.md)' }),
    alert_on_skips: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Alert when this many occurrences in a row ended without starting; null = never' }),
    webhook: z.string().nullable(),
    on_waiting: z.string().nullable().openapi({ description: 'POSTed when a run starts waiting (docs/waits.md)' }),
    concurrency: z
      .object({ key: z.string(), limit: z.number().int(), strategy: z.enum(['queue', 'skip', 'cancel_oldest']) })
      .nullable()
      .openapi({ description: 'At most `limit` runs per rendered key at once (docs/gates.md); null: none' }),
    priority: z.number().int().openapi({ description: '1 (first) to 5: when runs wait for slots (default 3)' }),
    metadata: z.record(z.string(), z.unknown()),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: "Extra run configuration (LangGraph's payload config, context, …)" }),
    version: z.number().int(),
    source: z.enum(['api', 'config', 'apply']).openapi({
      description:
        'Who manages it: `api` (made through the API, CLI or dashboard), `config` (declared in the config file; the next start may overwrite edits), `apply` (upserted by name)',
    }),
    source_note: z.string().nullable().openapi({
      description:
        'Why a managed schedule differs from its declaration, e.g. paused because it was removed from the config file',
    }),
    created_by: z
      .object({ kind: z.literal('agent'), run_id: z.string(), assistant_id: z.string() })
      .nullable()
      .openapi({
        description:
          'Set when an llm assistant created the schedule with the scheduler tools (docs/agents-tools.md); null when its owner did',
      }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Schedule');

export const ScheduleEnsureParams = z.object({
  name: z
    .string()
    .min(1)
    .max(200)
    .openapi({
      param: { name: 'name', in: 'path' },
      description: 'The schedule name: the key of the upsert',
      example: 'daily-digest',
    }),
});

export const ScheduleEnsureQuery = z.object({
  if_exists: z.enum(ifExistsPolicies).optional().openapi({
    description:
      'When the name is taken: `raise` (default; 409 `schedule_exists` unless an earlier by-name upsert created it), `update` (make it match the body), `skip` (leave it alone)',
  }),
});

export const ScheduleEnsureResult = z
  .object({
    result: z.enum(['created', 'updated', 'unchanged', 'skipped']),
    changed: z
      .array(z.string())
      .openapi({ description: 'The fields that changed (`schedule`, `input_template`, …) when updated' }),
    schedule: Schedule,
  })
  .openapi('ScheduleEnsureResult');

export const ScheduleStats = z
  .object({
    schedule_id: z.string(),
    window_ms: z.number(),
    since: Timestamp,
    total: z.number().int(),
    by_status: z.record(z.string(), z.number()),
    by_reason: z.record(z.string(), z.number()),
    success_rate: z.number().nullable(),
    consecutive_failures: z.number().int(),
    tokens: z.object({ prompt: z.number().int(), completion: z.number().int(), total: z.number().int() }),
    p50_duration_ms: z.number().nullable(),
    p95_duration_ms: z.number().nullable(),
    last_run_at: Timestamp.nullable(),
    last_run_status: z.string().nullable(),
    next_run_at: Timestamp.nullable(),
    excluded: z.number().int().openapi({ description: 'Occurrences in the window skipped because of exclude_dates' }),
    late: z.number().int().openapi({ description: 'Runs in the window that started after their start deadline' }),
    max_late_ms: z.number().int().nullable().openapi({ description: 'The latest of those started, ms late' }),
    skipped_by_reason: z.record(z.string(), z.number()).openapi({
      description:
        'Occurrences in the window that produced no start, by reason: precheck, budget, concurrency, overlap, missed, excluded, capacity, config, … (docs/gates.md)',
    }),
  })
  .openapi('ScheduleStats');

export const ScheduleRates = z
  .object({
    window_ms: z.number(),
    since: Timestamp,
    data: z.array(
      z.object({
        schedule_id: z.string(),
        total: z.number().int().openapi({ description: 'Runs created in the window, every status' }),
        by_status: z.record(z.string(), z.number()),
        success_rate: z
          .number()
          .nullable()
          .openapi({ description: 'success / (success + error + timeout); null when none finished' }),
      }),
    ),
  })
  .openapi('ScheduleRates');

export const ScheduleRatesQuery = z.object({
  ids: z.string().min(1).max(8000).openapi({ description: 'Schedule ids separated by commas (at most 200)' }),
  window: z
    .string()
    .optional()
    .openapi({ description: 'Seconds, "24h", "7d"-style text or ISO-8601 (PT24H); default 7 days', example: '24h' }),
});

export const ScheduleEventList = z
  .object({ data: z.array(z.object({ id: z.number(), at: Timestamp, kind: z.string(), data: z.unknown() })) })
  .openapi('ScheduleEventList');

export const ScheduleListQuery = PageQuery.extend({
  assistant_id: z.string().optional(),
  workflow_id: z.string().optional(),
  thread_id: z.string().optional(),
  owner_id: z.string().optional().openapi({ description: "Admins: one user's schedules" }),
  status: z.enum(['active', 'paused', 'completed']).optional(),
  enabled: queryBoolean.optional(),
  name: z.string().min(1).max(200).optional().openapi({ description: 'Part of the name, case-insensitive' }),
  metadata: jsonObjectQuery.optional(),
  cursor: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'The next_cursor of the previous page (keyset on created_at, id)' }),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Part of the name or of the cron expression, case-insensitive' }),
  failing: queryBoolean
    .optional()
    .openapi({ description: 'Only schedules whose consecutive failures reached their alert_after' }),
  ids: z
    .string()
    .min(1)
    .max(8000)
    .optional()
    .openapi({ description: 'Only these schedules: ids separated by commas (at most 200)' }),
  sort: z.enum(scheduleSorts).optional().openapi({
    description:
      'The order: a column, `-` first for descending (default: newest first). Page with offset when sorting; a cursor follows the default order',
  }),
});

export const SchedulePreviewQuery = z.object({
  count: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'How many fire times (1-100, default 5)' }),
});

export const ScheduleStatsQuery = z.object({
  window: z
    .string()
    .optional()
    .openapi({ description: 'Seconds, "24h", "7d"-style text or ISO-8601 (PT24H); default 7 days', example: '24h' }),
});

export const ScheduleRunsQuery = PageQuery.extend({
  status: z.enum(['pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped']).optional(),
  trigger: z.enum(triggers).optional(),
  from: Timestamp.optional().openapi({ description: 'Runs created at or after this instant' }),
  to: Timestamp.optional().openapi({ description: 'Runs created before this instant' }),
});

export const ScheduleList = z
  .object({
    data: z.array(Schedule),
    total: z.number().int().openapi({ description: 'Every schedule matching the filters' }),
    limit: z.number().int(),
    offset: z.number().int(),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .openapi('ScheduleList');

export type Schedule = z.infer<typeof Schedule>;
export type ScheduleCreate = z.input<typeof scheduleCreateSchema>;
export type ScheduleUpdate = z.input<typeof scheduleUpdateSchema>;
export type SchedulePreview = z.infer<typeof SchedulePreview>;
export type SchedulePreviewRequest = z.input<typeof previewSchema> & { count?: number };
export type ScheduleTrigger = z.input<typeof ScheduleTrigger>;
export type SchedulePause = z.input<typeof pauseSchema>;
export type ScheduleBackfill = z.input<typeof backfillSchema>;
export type ScheduleBackfillResult = z.infer<typeof ScheduleBackfillResult>;
export type ScheduleStats = z.infer<typeof ScheduleStats>;
export type ScheduleRates = z.infer<typeof ScheduleRates>;
export type ScheduleEnsureResult = z.infer<typeof ScheduleEnsureResult>;
export type ScheduleEnsureQuery = z.infer<typeof ScheduleEnsureQuery>;
export type ScheduleList = z.infer<typeof ScheduleList>;
export type ScheduleEventList = z.infer<typeof ScheduleEventList>;
