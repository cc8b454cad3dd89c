import { z } from 'zod';
import { parseDuration } from '../time/durations.ts';
import { excludeDatesSchema } from './exclude-dates.ts';
import { concurrencySchema, prioritySchema } from '../runs/flow-control.ts';
import { retrySchema, timeoutSchema } from '../runs/run-policy.ts';
import { budgetSchema } from '../runs/budget.ts';
import { precheckSchema } from '../gates/precheck-spec.ts';

/** A duration in seconds: a number, `"15m"`-style text or ISO-8601 (`"PT1H"`); parsed to ms. */
const duration = z.union([z.number().nonnegative(), z.string().min(1)]).transform((value, context) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration: use seconds (90), "15m", "1h30m" or ISO-8601 ("PT1H")`,
    });
    return z.NEVER;
  }
  return ms;
});

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone offset, e.g. 2026-03-09T09:00:00Z',
});

/** `schedule`: exactly one of `cron`, `at`, `every`; a bare string is a cron expression. */
const scheduleSpec = z.union([
  z
    .string()
    .min(1)
    .transform((cron) => ({ cron, timezone: undefined, at: undefined, every: undefined, anchor: undefined })),
  z.strictObject({
    cron: z.string().min(1).optional(),
    at: instant.optional(),
    every: duration.optional(),
    timezone: z.string().min(1).optional(),
    anchor: instant.optional(),
  }),
]);

/** `dst`: what repeated and skipped wall times do; null (or a key left out) keeps the Vixie rule. */
const dstPolicy = z.strictObject({
  repeated: z.enum(['first', 'last', 'both']).optional(),
  skipped: z.enum(['shift', 'skip']).optional(),
});

const fields = {
  name: z.string().trim().min(1, 'may not be empty').max(200),
  /** An assistant id, or a graph id (its default assistant, LangGraph's convention). */
  assistant_id: z.string().trim().min(1).max(200),
  /** A workflow instead of an assistant (exactly one of them). */
  workflow_id: z.uuid(),
  thread_id: z.uuid().nullable(),
  schedule: scheduleSpec,
  input_template: z.json().nullable(),
  session_mode: z.enum(['new', 'persistent']),
  on_run_completed: z.enum(['delete', 'keep']),
  max_concurrent: z.number().int().min(1).max(1000),
  skip_if_running: z.boolean(),
  overlap: z.enum(['skip', 'queue', 'allow', 'cancel_previous']),
  /** Seconds. */
  timeout: timeoutSchema,
  retry: retrySchema,
  misfire: z.enum(['skip', 'run_once', 'run_all']),
  catchup_window: duration,
  jitter: duration,
  start_at: instant.nullable(),
  end_at: instant.nullable(),
  max_runs: z.number().int().min(1).nullable(),
  enabled: z.boolean(),
  metadata: z.record(z.string(), z.json()),
  alert_after: z.number().int().min(1).max(10_000),
  /** Pause the schedule when this many runs in a row failed; null = never. */
  pause_after_failures: z.number().int().min(1).max(10_000).nullable(),
  /** Waiting runs count toward max_concurrent and the overlap policy (default false; docs/waits.md). */
  overlap_counts_waiting: z.boolean(),
  /** Alert once a day when the day's tokens (in the schedule's zone) pass this; null: never. */
  alert_on_tokens_per_day: z.number().int().min(1).max(1e12).nullable(),
  /** Token and dollar limits and what reaching one does (docs/gates.md "Budgets"); null: none. */
  budget: budgetSchema.nullable(),
  webhook: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullable(),
  /** POSTed when a run starts waiting, with an approval's signed link (docs/waits.md). */
  on_waiting: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullable(),
  /** At most `limit` runs per key (a template over the run input) at once (docs/gates.md); null: none. */
  concurrency: concurrencySchema('input').nullable(),
  /** 1 (first) to 5: when runs wait for slots, lower numbers start first (default 3). */
  priority: prioritySchema,
  /** Extra run configuration kept with the schedule (LangGraph's payload `config`, `context`, …). */
  config: z.record(z.string(), z.json()),
  dst: dstPolicy.nullable(),
  exclude_dates: excludeDatesSchema,
  /** A cheap check before each fire: false records the occurrence skipped (docs/gates.md); null: none. */
  precheck: precheckSchema.nullable(),
  /** Alert when this many occurrences in a row ended without starting, for any reason; null: never. */
  alert_on_skips: z.number().int().min(1).max(10_000).nullable(),
};

/**
 * The body that creates a schedule: the agent-server object verbatim (`assistant_id`, `schedule`,
 * `input_template`, `session_mode`, `max_concurrent`, `skip_if_running`, `timeout`) plus Kairos's
 * fields. Strict: an unknown field is refused, never dropped.
 */
export const scheduleCreateSchema = z.strictObject({
  ...fields,
  assistant_id: fields.assistant_id.optional(),
  workflow_id: fields.workflow_id.optional(),
  name: fields.name.optional(),
  thread_id: fields.thread_id.optional(),
  input_template: fields.input_template.optional(),
  session_mode: fields.session_mode.default('new'),
  on_run_completed: fields.on_run_completed.default('delete'),
  max_concurrent: fields.max_concurrent.default(1),
  skip_if_running: fields.skip_if_running.optional(),
  overlap: fields.overlap.optional(),
  timeout: fields.timeout.optional(),
  retry: fields.retry.optional(),
  misfire: fields.misfire.default('run_once'),
  catchup_window: fields.catchup_window.prefault(3600),
  jitter: fields.jitter.prefault(0),
  start_at: fields.start_at.optional(),
  end_at: fields.end_at.optional(),
  max_runs: fields.max_runs.optional(),
  enabled: fields.enabled.default(true),
  metadata: fields.metadata.default({}),
  alert_after: fields.alert_after.default(3),
  pause_after_failures: fields.pause_after_failures.optional(),
  overlap_counts_waiting: fields.overlap_counts_waiting.default(false),
  alert_on_tokens_per_day: fields.alert_on_tokens_per_day.optional(),
  budget: fields.budget.optional(),
  webhook: fields.webhook.optional(),
  on_waiting: fields.on_waiting.optional(),
  concurrency: fields.concurrency.optional(),
  priority: fields.priority.default(3),
  config: fields.config.default({}),
  dst: fields.dst.optional(),
  exclude_dates: fields.exclude_dates.optional(),
  precheck: fields.precheck.optional(),
  alert_on_skips: fields.alert_on_skips.optional(),
});

/** A partial update: only the fields given change. */
export const scheduleUpdateSchema = z.strictObject(
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
  },
);

export type ScheduleCreateInput = z.input<typeof scheduleCreateSchema>;
export type ScheduleUpdateInput = z.input<typeof scheduleUpdateSchema>;
export type ParsedCreate = z.output<typeof scheduleCreateSchema>;
export type ParsedUpdate = z.output<typeof scheduleUpdateSchema>;
export type ParsedSpec = z.output<typeof scheduleSpec>;
export type ParsedRetry = z.output<typeof retrySchema>;
export type ParsedDstPolicy = z.output<typeof dstPolicy>;

const booleanText = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** The orders of the schedule list: a column, `-` first for descending. */
export const scheduleSorts = [
  'name',
  '-name',
  'next_run_at',
  '-next_run_at',
  'last_run_at',
  '-last_run_at',
  'created_at',
  '-created_at',
  'consecutive_failures',
  '-consecutive_failures',
] as const;

export const scheduleListSchema = z.strictObject({
  assistant_id: z.uuid().optional(),
  workflow_id: z.uuid().optional(),
  thread_id: z.uuid().optional(),
  owner_id: z.uuid().optional(),
  status: z.enum(['active', 'paused', 'completed']).optional(),
  enabled: booleanText.optional(),
  /** Case-insensitive part of the name. */
  name: z.string().min(1).max(200).optional(),
  /** Matches when every key equals (JSON equality). */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** The `next_cursor` of the previous page: continues after it (newest first). */
  cursor: z.string().min(1).max(200).optional(),
  /** Case-insensitive part of the name or of the cron expression. */
  q: z.string().min(1).max(200).optional(),
  /** Only schedules whose consecutive failures reached their alert threshold. */
  failing: booleanText.optional(),
  /** Only these schedules: ids separated by commas (at most 200). */
  ids: z
    .string()
    .transform((text) => text.split(',').filter((id) => id !== ''))
    .pipe(z.array(z.uuid('ids: each id must be a schedule id (a UUID)')).min(1).max(200))
    .optional(),
  /** A column, `-` first for descending; paging is then by offset (a cursor follows the default order). */
  sort: z.enum(scheduleSorts).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ScheduleListInput = z.input<typeof scheduleListSchema>;

export const previewSchema = z.strictObject({
  schedule: scheduleSpec,
  start_at: instant.nullable().optional(),
  end_at: instant.nullable().optional(),
  dst: fields.dst.optional(),
  exclude_dates: fields.exclude_dates.optional(),
});
export type PreviewInput = z.input<typeof previewSchema>;

/** `POST /schedules/{id}/pause`: an optional note, shown on the schedule until it is resumed. */
export const pauseSchema = z.strictObject({
  note: z.string().trim().min(1, 'may not be empty; leave it out to pause without a note').max(1000).optional(),
});
export type PauseInput = z.input<typeof pauseSchema>;

/** Parses with zod once, at the service edge (src/parse-input.ts); kept under the name the schedule code uses. */
export { parseInput as parseScheduleInput } from '../parse-input.ts';
