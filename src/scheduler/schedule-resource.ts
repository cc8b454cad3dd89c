import type { ScheduleCreator, ScheduleRow, ScheduleState } from '../store/schedules.ts';
import type { StoredBudget } from '../store/budgets.ts';
import { describe } from '../time/index.ts';
import { fireAfter, isExcluded, occurrenceSpecOf } from './next-fire.ts';

/** A schedule as the API shows it: the fields it was created with, plus its state. */
export interface ScheduleResource {
  id: string;
  name: string;
  owner_id: string;
  /** The assistant it fires, or null when it fires a workflow. */
  assistant_id: string | null;
  /** The workflow it fires, or null when it fires an assistant. */
  workflow_id: string | null;
  thread_id: string | null;
  schedule:
    | { cron: string; timezone: string }
    | { at: string; timezone: string }
    | { every: number; anchor: string | null; timezone: string };
  /** The schedule in words, e.g. "Every 15 minutes" (null if the expression cannot be read). */
  description: string | null;
  input_template: unknown;
  session_mode: 'new' | 'persistent';
  on_run_completed: 'delete' | 'keep';
  max_concurrent: number;
  skip_if_running: boolean;
  overlap: ScheduleRow['overlap'];
  /** Seconds; null = no timeout. */
  timeout: number | null;
  retry: { max_attempts: number; backoff: { initial_s: number; factor: number; max_s: number } };
  misfire: ScheduleRow['misfire'];
  /** Seconds. */
  catchup_window: number;
  /** Seconds. */
  jitter: number;
  start_at: string | null;
  end_at: string | null;
  max_runs: number | null;
  enabled: boolean;
  status: ScheduleState;
  /** Null while paused or once completed. */
  next_run_at: string | null;
  run_count: number;
  missed_count: number;
  /** The DST policy as given (keys left out keep the Vixie rule); null = the Vixie rules. */
  dst: { repeated?: 'first' | 'last' | 'both'; skipped?: 'shift' | 'skip' } | null;
  /** Wall-clock dates (YYYY-MM-DD in the schedule's zone) whose occurrences are skipped. */
  exclude_dates: string[];
  /** Occurrences skipped because of exclude_dates so far (not missed). */
  excluded_count: number;
  consecutive_failures: number;
  last_run_at: string | null;
  last_run_status: string | null;
  alert_after: number;
  /** Pauses itself when this many runs in a row failed; null = never. */
  pause_after_failures: number | null;
  /** Waiting runs count toward max_concurrent and the overlap policy (default false: a run parked on a person does not block the next fire). */
  overlap_counts_waiting: boolean;
  /** While paused: when, by whom (null for an automatic pause) and why; null otherwise. */
  paused: { at: string; by: string | null; note: string | null } | null;
  alert_on_tokens_per_day: number | null;
  /** Token and dollar limits and what reaching one does (docs/gates.md "Budgets"); null: none. */
  budget: StoredBudget | null;
  /** A check before each fire (docs/gates.md); null: none. */
  precheck: Record<string, unknown> | null;
  /** Alert when this many occurrences in a row ended without starting; null: never. */
  alert_on_skips: number | null;
  webhook: string | null;
  on_waiting: string | null;
  /** At most `limit` runs per rendered key at once (docs/gates.md); null: none. */
  concurrency: { key: string; limit: number; strategy: 'queue' | 'skip' | 'cancel_oldest' } | null;
  /** 1 (first) to 5, default 3. */
  priority: number;
  metadata: Record<string, unknown>;
  /** Extra run configuration kept with the schedule (the LangGraph payload's `config`, `context`, …). */
  config: Record<string, unknown>;
  version: number;
  /** Who manages it: `api`, `config` (declared in the config file: the next start may overwrite edits) or `apply` (upserted by name). */
  source: ScheduleRow['source'];
  /** Why a managed schedule differs from its declaration, e.g. paused because it was removed from the config file. */
  source_note: string | null;
  /** Set when an agent created it (`{"kind":"agent","run_id","assistant_id"}`); null when its owner did. */
  created_by: ScheduleCreator | null;
  created_at: string;
  updated_at: string;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function scheduleState(row: Pick<ScheduleRow, 'enabled' | 'completed_at'>): ScheduleState {
  return row.completed_at ? 'completed' : row.enabled ? 'active' : 'paused';
}

function plural(count: number, unit: string): string {
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

function everyInWords(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/** The schedule in words: the cron's description, "Every 15 minutes", or "Once at …". */
export function describeSchedule(
  row: Pick<ScheduleRow, 'kind' | 'cron' | 'at' | 'every_ms' | 'timezone'>,
): string | null {
  if (row.kind === 'once') return row.at ? `Once at ${row.at.toISOString()}` : null;
  if (row.kind === 'interval') {
    const words = everyInWords(row.every_ms! / 1000);
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  try {
    return describe(row.cron!, { seconds: row.cron!.trim().split(/\s+/).length === 6 });
  } catch {
    return null; // saved under other rules (seconds since disallowed): still listable
  }
}

/**
 * The next fire: `next_run_at`, or the first occurrence after it off the excluded dates (the
 * scheduler keeps excluded occurrences in `next_run_at` to count them when they come due).
 */
export function nextFireOf(row: ScheduleRow): Date | null {
  if (row.next_run_at === null || !row.exclude_dates || row.exclude_dates.length === 0) return row.next_run_at;
  const spec = occurrenceSpecOf(row);
  const at = row.next_run_at.getTime();
  if (!isExcluded(spec, at)) return row.next_run_at;
  const next = fireAfter(spec, at);
  return next === null ? null : new Date(next);
}

export function toScheduleResource(row: ScheduleRow): ScheduleResource {
  const status = scheduleState(row);
  return {
    id: row.id,
    name: row.name,
    owner_id: row.owner_id,
    assistant_id: row.assistant_id,
    workflow_id: row.workflow_id,
    thread_id: row.thread_id,
    schedule:
      row.kind === 'cron'
        ? { cron: row.cron!, timezone: row.timezone }
        : row.kind === 'once'
          ? { at: row.at!.toISOString(), timezone: row.timezone }
          : { every: row.every_ms! / 1000, anchor: iso(row.anchor_at), timezone: row.timezone },
    description: describeSchedule(row),
    input_template: row.input_template,
    session_mode: row.session_mode,
    on_run_completed: row.on_run_completed,
    max_concurrent: row.max_concurrent,
    skip_if_running: row.overlap === 'skip',
    overlap: row.overlap,
    timeout: row.timeout_ms === null ? null : row.timeout_ms / 1000,
    retry: {
      max_attempts: row.retry_max_attempts,
      backoff: {
        initial_s: row.retry_backoff_ms / 1000,
        factor: row.retry_backoff_factor,
        max_s: row.retry_backoff_max_ms / 1000,
      },
    },
    misfire: row.misfire,
    catchup_window: row.catchup_window_ms / 1000,
    jitter: row.jitter_ms / 1000,
    start_at: iso(row.start_at),
    end_at: iso(row.end_at),
    max_runs: row.max_runs,
    enabled: row.enabled,
    status,
    next_run_at: status === 'active' ? iso(nextFireOf(row)) : null,
    run_count: row.run_count,
    missed_count: row.missed_count,
    dst:
      row.dst_repeated || row.dst_skipped
        ? {
            ...(row.dst_repeated && { repeated: row.dst_repeated }),
            ...(row.dst_skipped && { skipped: row.dst_skipped }),
          }
        : null,
    exclude_dates: row.exclude_dates ?? [],
    excluded_count: row.excluded_count ?? 0,
    consecutive_failures: row.consecutive_failures,
    last_run_at: iso(row.last_run_at),
    last_run_status: row.last_run_status,
    alert_after: row.alert_after,
    pause_after_failures: row.pause_after_failures ?? null,
    overlap_counts_waiting: row.overlap_counts_waiting ?? false,
    paused:
      status === 'paused' && row.paused_at
        ? { at: row.paused_at.toISOString(), by: row.paused_by, note: row.pause_note }
        : null,
    alert_on_tokens_per_day: row.alert_on_tokens_per_day === null ? null : Number(row.alert_on_tokens_per_day),
    budget: row.budget ?? null,
    precheck: row.precheck ?? null,
    alert_on_skips: row.alert_on_skips ?? null,
    webhook: row.webhook,
    on_waiting: row.on_waiting ?? null,
    concurrency: row.concurrency ?? null,
    priority: row.priority ?? 3,
    metadata: row.metadata,
    config: row.config ?? {},
    version: row.version,
    source: row.source ?? 'api',
    source_note: row.source_note ?? null,
    created_by: row.created_by ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
