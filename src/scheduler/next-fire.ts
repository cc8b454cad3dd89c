import { compileCron, type DstPolicy } from '../time/index.ts';
import type { ScheduleKind, ScheduleRow } from '../store/schedules.ts';
import { wallDateKey } from './exclude-dates.ts';

/** What decides a schedule's occurrences. `endMs` is exclusive; `startMs` inclusive. */
export interface OccurrenceSpec {
  kind: ScheduleKind;
  cron: string | null;
  timezone: string;
  atMs: number | null;
  everyMs: number | null;
  anchorMs: number | null;
  startMs: number | null;
  endMs: number | null;
  /** The schedule's DST policy; undefined keeps the Vixie rules. */
  dst?: DstPolicy;
  /** Wall-clock dates (YYYY-MM-DD in `timezone`) whose occurrences are skipped. */
  excludeDates?: ReadonlySet<string>;
}

interface CompiledCron {
  nextAfter(epochMs: number): number | null;
}

// Compiled crons cached by (expression, zone): the claim pass evaluates thousands per second.
const cronCache = new Map<string, CompiledCron>();
const cronCacheLimit = 50_000;

/** Compiles (or reuses) a cron; 6-field expressions are allowed here, refused at save time. */
export function cachedCron(expression: string, timezone: string, dst?: DstPolicy): CompiledCron {
  const key = `${dst?.repeated ?? '-'}/${dst?.skipped ?? '-'}${timezone}\u0000${expression}`;
  let compiled = cronCache.get(key);
  if (!compiled) {
    compiled = compileCron(expression, timezone, { seconds: true, dst });
    if (cronCache.size >= cronCacheLimit) cronCache.clear();
    cronCache.set(key, compiled);
  }
  return compiled;
}

type SpecRow = Pick<
  ScheduleRow,
  'kind' | 'cron' | 'timezone' | 'at' | 'every_ms' | 'anchor_at' | 'start_at' | 'end_at'
> &
  Partial<Pick<ScheduleRow, 'dst_repeated' | 'dst_skipped' | 'exclude_dates'>>;

export function occurrenceSpecOf(row: SpecRow): OccurrenceSpec {
  const dst =
    row.dst_repeated || row.dst_skipped
      ? {
          ...(row.dst_repeated && { repeated: row.dst_repeated }),
          ...(row.dst_skipped && { skipped: row.dst_skipped }),
        }
      : undefined;
  return {
    ...(dst && { dst }),
    ...(row.exclude_dates && row.exclude_dates.length > 0 && { excludeDates: new Set(row.exclude_dates) }),
    kind: row.kind,
    cron: row.cron,
    timezone: row.timezone,
    atMs: row.at?.getTime() ?? null,
    everyMs: row.every_ms,
    anchorMs: row.anchor_at?.getTime() ?? null,
    startMs: row.start_at?.getTime() ?? null,
    endMs: row.end_at?.getTime() ?? null,
  };
}

/** Whether an occurrence falls on one of the schedule's excluded wall-clock dates. */
export function isExcluded(spec: OccurrenceSpec, at: number): boolean {
  return spec.excludeDates !== undefined && spec.excludeDates.has(wallDateKey(at, spec.timezone));
}

/**
 * The first occurrence strictly after `afterMs` that is not on an excluded date: what fires next.
 * Bounded: a run of excluded occurrences longer than 200,000 ends the search (null).
 */
export function fireAfter(spec: OccurrenceSpec, afterMs: number): number | null {
  let t: number | null = afterMs;
  for (let guard = 0; guard < 200_000; guard++) {
    t = occurrenceAfter(spec, t);
    if (t === null || !isExcluded(spec, t)) return t;
  }
  return null;
}

/**
 * The first occurrence strictly after `afterMs` (and at or after `start`, before `end`, under the
 * schedule's DST policy), or null when there is none. Occurrences on excluded dates are included:
 * the scheduler counts them as excluded when they come due (see {@link isExcluded}).
 *
 * @example
 * occurrenceAfter({ kind: 'interval', everyMs: 900_000, anchorMs: 0, … }, Date.now())
 */
export function occurrenceAfter(spec: OccurrenceSpec, afterMs: number): number | null {
  let next: number | null;
  const from = spec.startMs !== null ? Math.max(afterMs, spec.startMs - 1) : afterMs;
  switch (spec.kind) {
    case 'cron':
      next = cachedCron(spec.cron!, spec.timezone, spec.dst).nextAfter(from);
      break;
    case 'once':
      next = spec.atMs !== null && spec.atMs > afterMs ? spec.atMs : null;
      break;
    case 'interval': {
      const every = spec.everyMs!;
      const anchor = spec.anchorMs ?? 0;
      const k = Math.max(0, Math.floor((from - anchor) / every) + 1);
      next = anchor + k * every;
      break;
    }
  }
  if (next === null || (spec.endMs !== null && next >= spec.endMs)) return null;
  return next;
}

/** The next `count` occurrences after `afterMs` (preview). */
export function nextOccurrences(spec: OccurrenceSpec, afterMs: number, count: number): number[] {
  const times: number[] = [];
  let t: number | null = afterMs;
  while (times.length < count && (t = occurrenceAfter(spec, t)) !== null) times.push(t);
  return times;
}

/**
 * A schedule's next fire time when it is created, updated or resumed: the first occurrence after
 * now and after the latest occurrence that already has a run (so nothing fires twice). A one-time
 * schedule fires at `at` even when that is a few seconds past.
 */
export function firstFireAt(
  spec: OccurrenceSpec,
  now: number,
  lastScheduledFor: number | null,
  remainingRuns: number | null = null,
): number | null {
  if (remainingRuns !== null && remainingRuns <= 0) return null;
  if (spec.kind === 'once') {
    const at = spec.atMs;
    if (at === null || (lastScheduledFor !== null && at <= lastScheduledFor)) return null;
    return spec.endMs !== null && at >= spec.endMs ? null : at;
  }
  return occurrenceAfter(spec, Math.max(now, lastScheduledFor ?? -Infinity));
}
