import type { ScheduleRow } from '../store/schedules.ts';
import { jitterDelay } from './jitter.ts';
import { isExcluded, occurrenceAfter, occurrenceSpecOf } from './next-fire.ts';

export interface PlanOptions {
  /** The scheduler's now (database time), ms. */
  now: number;
  /** Occurrences up to this instant get their run now (now + lookahead). */
  horizon: number;
  /** An occurrence later than this is missed (subject to the misfire policy), not merely late. */
  misfireGraceMs: number;
  /** Most runs one schedule creates in one pass. */
  maxPerPass: number;
  /** A run must start within this long of its time (or the schedule's period, if shorter). */
  startDeadlineMs: number;
}

export interface PlannedOccurrence {
  /** Nominal time of the occurrence. */
  scheduledFor: number;
  /** When the run may start: the occurrence plus its deterministic jitter. */
  notBefore: number;
  startDeadline: number;
  /** Missed occurrences this run stands for (misfire `run_once`); 0 otherwise. */
  coalesced: number;
}

export interface OccurrencePlan {
  fire: PlannedOccurrence[];
  /** Occurrences counted as missed in this pass (older than the catch-up window, or skipped). */
  missed: number;
  /** Occurrences on excluded dates that came due in this pass: counted as excluded, never fired or missed. */
  excluded: number;
  /** The first 50 of them. */
  excludedSample: number[];
  /** The next occurrence not yet handled; null when the schedule has no more. */
  nextRunAt: number | null;
  completed: boolean;
}

// Bounds the work of counting misses after a very long outage of a very frequent schedule.
const countCap = 100_000;

type Due = Pick<
  ScheduleRow,
  | 'id'
  | 'kind'
  | 'cron'
  | 'timezone'
  | 'at'
  | 'every_ms'
  | 'anchor_at'
  | 'start_at'
  | 'end_at'
  | 'next_run_at'
  | 'misfire'
  | 'catchup_window_ms'
  | 'jitter_ms'
  | 'max_runs'
  | 'occurrence_count'
> &
  Partial<Pick<ScheduleRow, 'dst_repeated' | 'dst_skipped' | 'exclude_dates'>>;

/**
 * Decides what one due schedule fires in this pass (DESIGN.md §4): occurrences older than the
 * catch-up window are counted as missed; late ones inside it follow the misfire policy (`skip`
 * none, `run_once` the latest one standing for all, `run_all` each in order, at most
 * `maxPerPass`); on-time ones up to the horizon fire. Pure: the caller writes the result.
 */
export function planOccurrences(schedule: Due, options: PlanOptions): OccurrencePlan {
  const spec = occurrenceSpecOf(schedule);
  let excluded = 0;
  const excludedSample: number[] = [];
  // Occurrences on excluded dates come due like any other and are set aside here, so that they
  // are counted when their time passes, as excluded (not missed, not fired).
  const skipExcluded = (at: number | null): number | null => {
    while (at !== null && at <= options.horizon && isExcluded(spec, at)) {
      excluded++;
      if (excludedSample.length < 50) excludedSample.push(at);
      at = occurrenceAfter(spec, at);
    }
    return at;
  };
  const next = (t: number): number | null => skipExcluded(occurrenceAfter(spec, t));
  const following = (t: number) => occurrenceAfter(spec, t);
  let t = skipExcluded(schedule.next_run_at?.getTime() ?? null);
  const lateBefore = options.now - options.misfireGraceMs;
  const windowStart = options.now - schedule.catchup_window_ms;
  const oldBefore = Math.min(lateBefore, windowStart);
  const fired: Array<{ at: number; coalesced: number }> = [];
  let missed = 0;

  for (let n = 0; t !== null && t < oldBefore; n++) {
    missed++;
    t = n < countCap ? next(t) : next(oldBefore - 1);
    if (n >= countCap) break;
  }

  if (schedule.misfire === 'run_all') {
    while (t !== null && t < lateBefore && fired.length < options.maxPerPass) {
      fired.push({ at: t, coalesced: 0 });
      t = next(t);
    }
  } else {
    let late = 0;
    let latest: number | null = null;
    for (let n = 0; t !== null && t < lateBefore; n++) {
      late++;
      latest = t;
      t = n < countCap ? next(t) : next(lateBefore - 1);
      if (n >= countCap) break;
    }
    if (schedule.misfire === 'run_once' && latest !== null) {
      fired.push({ at: latest, coalesced: late - 1 });
      missed += late - 1;
    } else {
      missed += late;
    }
  }

  const catchingUp = t !== null && t < lateBefore;
  while (!catchingUp && t !== null && t <= options.horizon && fired.length < options.maxPerPass) {
    fired.push({ at: t, coalesced: 0 });
    t = next(t);
  }

  let completed = t === null;
  if (schedule.max_runs !== null) {
    const remaining = schedule.max_runs - schedule.occurrence_count;
    if (fired.length >= remaining) {
      fired.length = Math.max(0, remaining);
      completed = true;
      t = null;
    }
  }

  return {
    fire: fired.map(({ at, coalesced }) => {
      const after = following(at);
      const gap = after === null ? null : after - at;
      const notBefore = at + jitterDelay(schedule.id, at, schedule.jitter_ms, gap);
      const deadline = Math.min(options.startDeadlineMs, gap ?? options.startDeadlineMs);
      // Created late (the scheduler could not reach the database): as long to find a slot as it
      // is late, so that an outage's backlog can drain without failing as capacity.
      return {
        scheduledFor: at,
        notBefore,
        startDeadline: Math.max(notBefore, options.now) + Math.max(deadline, options.now - notBefore),
        coalesced,
      };
    }),
    missed,
    excluded,
    excludedSample,
    nextRunAt: t,
    completed,
  };
}
