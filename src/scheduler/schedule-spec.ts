import { KairosError, invalid } from '../errors.ts';
import type { ScheduleFields, ScheduleRow } from '../store/schedules.ts';
import { compileCron, CronError, validateTimeZone } from '../time/index.ts';
import { unknownTemplateVariables } from '../runs/input-template.ts';
import type { ParsedCreate, ParsedDstPolicy, ParsedRetry, ParsedSpec, ParsedUpdate } from './schedule-input.ts';
import { resolveRetry, resolveTimeoutMs } from '../runs/run-policy.ts';

export interface SpecRules {
  /** 6-field (seconds) crons and sub-minute intervals (`KAIROS_ALLOW_SECONDS_SCHEDULE`). */
  allowSeconds: boolean;
}

type SpecColumns = Pick<ScheduleFields, 'kind' | 'cron' | 'at' | 'every_ms' | 'anchor_at' | 'timezone'>;

function cronError(error: CronError, path: string, expression: string): KairosError {
  // `timezone: …` under `schedule.timezone` says the field once; `minute: …` under `schedule.cron` adds to it.
  const own = error.field !== undefined && path.endsWith(`.${error.field}`) ? `${error.field}: ` : undefined;
  const message = own !== undefined && error.message.startsWith(own) ? error.message.slice(own.length) : error.message;
  return new KairosError(error.code, `${path}: ${message}`, {
    status: 422,
    details: { field: error.field ?? path, value: error.value ?? expression, path },
  });
}

/** Checks and normalises `schedule` (cron + zone, at, or every) into columns. */
export function specColumns(spec: ParsedSpec, rules: SpecRules, now: number, startAt: Date | null): SpecColumns {
  const given = (['cron', 'at', 'every'] as const).filter((key) => spec[key] !== undefined);
  if (given.length !== 1) {
    throw invalid(
      'schedule',
      given.length === 0
        ? 'give one of cron, at or every'
        : `give only one of cron, at or every (got ${given.join(', ')})`,
    );
  }
  let timezone = 'UTC';
  if (spec.timezone !== undefined) {
    try {
      timezone = validateTimeZone(spec.timezone);
    } catch (error) {
      if (error instanceof CronError) throw cronError(error, 'schedule.timezone', spec.timezone);
      throw error;
    }
  }
  if (spec.cron !== undefined) {
    const expression = spec.cron.trim();
    if (!expression.startsWith('@') && expression.split(/\s+/).length === 6 && !rules.allowSeconds) {
      throw new KairosError(
        'invalid_cron',
        'schedule.cron: 6-field (seconds) expressions are disabled on this server; use 5 fields or set KAIROS_ALLOW_SECONDS_SCHEDULE=true',
        { status: 422, details: { field: 'second', value: expression, path: 'schedule.cron' } },
      );
    }
    try {
      compileCron(expression, timezone, { seconds: rules.allowSeconds });
    } catch (error) {
      if (error instanceof CronError) throw cronError(error, 'schedule.cron', expression);
      throw error;
    }
    if (spec.anchor !== undefined) throw invalid('schedule.anchor', 'only applies to every');
    return { kind: 'cron', cron: expression, at: null, every_ms: null, anchor_at: null, timezone };
  }
  if (spec.at !== undefined) {
    const at = new Date(spec.at);
    if (at.getTime() < now - 60_000) throw invalid('schedule.at', `${spec.at} is in the past`, { value: spec.at });
    if (spec.anchor !== undefined) throw invalid('schedule.anchor', 'only applies to every');
    return { kind: 'once', cron: null, at, every_ms: null, anchor_at: null, timezone };
  }
  const every = spec.every!;
  const minimum = rules.allowSeconds ? 1000 : 60_000;
  if (every < minimum) {
    throw invalid(
      'schedule.every',
      `must be at least ${minimum / 1000} s${rules.allowSeconds ? '' : ' (shorter intervals need KAIROS_ALLOW_SECONDS_SCHEDULE=true)'}`,
      { value: every / 1000 },
    );
  }
  const anchor = spec.anchor !== undefined ? new Date(spec.anchor) : (startAt ?? new Date(now));
  return { kind: 'interval', cron: null, at: null, every_ms: every, anchor_at: anchor, timezone };
}

function retryColumns(
  retry: ParsedRetry | undefined,
): Pick<ScheduleFields, 'retry_max_attempts' | 'retry_backoff_ms' | 'retry_backoff_factor' | 'retry_backoff_max_ms'> {
  const { max_attempts, ...backoff } = resolveRetry(retry);
  return { retry_max_attempts: max_attempts, ...backoff };
}

function overlapOf(
  overlap: ScheduleFields['overlap'] | undefined,
  skipIfRunning: boolean | undefined,
): ScheduleFields['overlap'] {
  if (overlap !== undefined && skipIfRunning !== undefined && (overlap === 'skip') !== skipIfRunning) {
    throw invalid(
      'skip_if_running',
      `contradicts overlap "${overlap}": give one of them, or skip_if_running: true with overlap "skip"`,
    );
  }
  return overlap ?? (skipIfRunning === false ? 'allow' : 'skip');
}

function checkTemplate(template: unknown): void {
  const unknown = unknownTemplateVariables(template);
  if (unknown.length > 0) {
    const { variable, path, unclosed } = unknown[0]!;
    if (unclosed) {
      throw invalid(
        path,
        `"${variable}…" opens {{ without a variable and }}; write a variable as {{date}}, {{run_number}}, …`,
        { variable, unclosed: variable },
      );
    }
    throw invalid(
      path,
      `unknown template variable {{${variable}}}; use date, day_of_week, timestamp, run_number, scheduled_for, schedule.name or schedule.id`,
      {
        variable,
      },
    );
  }
}

/** The `dst` policy as its two columns; null or a key left out keeps the Vixie rule. */
export function dstColumns(
  dst: ParsedDstPolicy | null | undefined,
): Pick<ScheduleFields, 'dst_repeated' | 'dst_skipped'> {
  return { dst_repeated: dst?.repeated ?? null, dst_skipped: dst?.skipped ?? null };
}

function checkWindow(startAt: Date | null, endAt: Date | null): void {
  if (startAt && endAt && endAt <= startAt) throw invalid('end_at', 'must be after start_at');
}

/** The columns of a new schedule (defaults filled), validated. */
export function newScheduleColumns(input: ParsedCreate, rules: SpecRules, now: number): Omit<ScheduleFields, 'name'> {
  const startAt = input.start_at ? new Date(input.start_at) : null;
  const endAt = input.end_at ? new Date(input.end_at) : null;
  checkWindow(startAt, endAt);
  checkTemplate(input.input_template);
  return {
    target_kind: input.workflow_id !== undefined ? 'workflow' : 'assistant',
    assistant_id: input.assistant_id ?? null,
    workflow_id: input.workflow_id ?? null,
    thread_id: input.thread_id ?? null,
    ...specColumns(input.schedule, rules, now, startAt),
    start_at: startAt,
    end_at: endAt,
    max_runs: input.max_runs ?? null,
    input_template: input.input_template ?? null,
    metadata: input.metadata,
    session_mode: input.session_mode,
    on_run_completed: input.on_run_completed,
    max_concurrent: input.max_concurrent,
    overlap: overlapOf(input.overlap, input.skip_if_running),
    timeout_ms: resolveTimeoutMs(input.timeout),
    ...retryColumns(input.retry),
    misfire: input.misfire,
    catchup_window_ms: input.catchup_window,
    jitter_ms: input.jitter,
    alert_after: input.alert_after,
    pause_after_failures: input.pause_after_failures ?? null,
    overlap_counts_waiting: input.overlap_counts_waiting,
    alert_on_tokens_per_day: input.alert_on_tokens_per_day ?? null,
    budget: input.budget ?? null,
    webhook: input.webhook ?? null,
    on_waiting: input.on_waiting ?? null,
    concurrency: input.concurrency ?? null,
    priority: input.priority,
    enabled: input.enabled,
    ...dstColumns(input.dst),
    exclude_dates: input.exclude_dates ?? [],
    precheck: input.precheck ?? null,
    alert_on_skips: input.alert_on_skips ?? null,
  };
}

/** The columns an update changes, validated against the current row; `timing` when they move fires. */
export function changedColumns(
  current: ScheduleRow,
  patch: ParsedUpdate,
  rules: SpecRules,
  now: number,
): { changes: Partial<ScheduleFields>; timing: boolean } {
  const changes: Partial<ScheduleFields> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.assistant_id !== undefined && patch.workflow_id !== undefined) {
    throw invalid('workflow_id', 'give one of assistant_id or workflow_id, not both: a schedule targets one of them');
  }
  if (patch.assistant_id !== undefined)
    Object.assign(changes, { target_kind: 'assistant', assistant_id: patch.assistant_id, workflow_id: null });
  if (patch.workflow_id !== undefined)
    Object.assign(changes, { target_kind: 'workflow', workflow_id: patch.workflow_id, assistant_id: null });
  if (patch.thread_id !== undefined) changes.thread_id = patch.thread_id;
  if (patch.start_at !== undefined) changes.start_at = patch.start_at ? new Date(patch.start_at) : null;
  if (patch.end_at !== undefined) changes.end_at = patch.end_at ? new Date(patch.end_at) : null;
  checkWindow(
    changes.start_at !== undefined ? changes.start_at : current.start_at,
    changes.end_at !== undefined ? changes.end_at : current.end_at,
  );
  if (patch.schedule !== undefined)
    Object.assign(changes, specColumns(patch.schedule, rules, now, changes.start_at ?? current.start_at));
  if (patch.max_runs !== undefined) changes.max_runs = patch.max_runs;
  if (patch.input_template !== undefined) {
    checkTemplate(patch.input_template);
    changes.input_template = patch.input_template;
  }
  if (patch.metadata !== undefined) changes.metadata = patch.metadata;
  if (patch.session_mode !== undefined) changes.session_mode = patch.session_mode;
  if (patch.on_run_completed !== undefined) changes.on_run_completed = patch.on_run_completed;
  if (patch.max_concurrent !== undefined) changes.max_concurrent = patch.max_concurrent;
  if (patch.overlap !== undefined || patch.skip_if_running !== undefined) {
    changes.overlap = overlapOf(patch.overlap, patch.skip_if_running);
  }
  if (patch.timeout !== undefined)
    changes.timeout_ms = patch.timeout === null ? null : Math.round(patch.timeout * 1000);
  if (patch.retry !== undefined) Object.assign(changes, retryColumns(patch.retry));
  if (patch.misfire !== undefined) changes.misfire = patch.misfire;
  if (patch.catchup_window !== undefined) changes.catchup_window_ms = patch.catchup_window;
  if (patch.jitter !== undefined) changes.jitter_ms = patch.jitter;
  if (patch.alert_after !== undefined) changes.alert_after = patch.alert_after;
  if (patch.pause_after_failures !== undefined) changes.pause_after_failures = patch.pause_after_failures;
  if (patch.overlap_counts_waiting !== undefined) changes.overlap_counts_waiting = patch.overlap_counts_waiting;
  if (patch.alert_on_tokens_per_day !== undefined) changes.alert_on_tokens_per_day = patch.alert_on_tokens_per_day;
  if (patch.budget !== undefined) changes.budget = patch.budget;
  if (patch.webhook !== undefined) changes.webhook = patch.webhook;
  if (patch.on_waiting !== undefined) changes.on_waiting = patch.on_waiting;
  if (patch.concurrency !== undefined) changes.concurrency = patch.concurrency;
  if (patch.priority !== undefined) changes.priority = patch.priority;
  if (patch.enabled !== undefined) changes.enabled = patch.enabled;
  if (patch.dst !== undefined) Object.assign(changes, dstColumns(patch.dst));
  if (patch.exclude_dates !== undefined) changes.exclude_dates = patch.exclude_dates;
  if (patch.precheck !== undefined) changes.precheck = patch.precheck;
  if (patch.alert_on_skips !== undefined) changes.alert_on_skips = patch.alert_on_skips;
  const timing =
    patch.schedule !== undefined ||
    patch.start_at !== undefined ||
    patch.end_at !== undefined ||
    patch.max_runs !== undefined ||
    patch.dst !== undefined ||
    patch.exclude_dates !== undefined;
  return { changes, timing };
}
