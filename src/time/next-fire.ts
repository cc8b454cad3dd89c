import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  MAX_EPOCH_MS,
  MIN_EPOCH_MS,
  monthLength,
  weekdayOfDays,
} from './calendar.ts';
import type { CronField } from './cron-fields.ts';
import { parseCron, type ParseOptions, type ParsedCron } from './cron-parse.ts';
import { dayMaskTable } from './day-mask.ts';
import { dstPolicyKey, repeatedInstants, resolveDstPolicy, shiftsGap, type DstPolicy } from './dst-policy.ts';
import { zoneOffsets, type ZoneOffsets } from './zone.ts';
import { validateTimeZone } from './zone-name.ts';

/** A compiled expression in a zone: reusable, immutable, about a microsecond per next fire. */
export interface CronSchedule {
  readonly expression: string;
  /** Canonical IANA name. */
  readonly timezone: string;
  readonly hasSeconds: boolean;
  /** First fire instant strictly after `epochMs` (ms since epoch), or null if none within 50 years. */
  nextAfter(epochMs: number): number | null;
  /** The next `count` fire instants strictly after `from` (fewer if the 50-year horizon ends first). */
  next(from: Date, count: number): Date[];
}

export interface CompileOptions extends ParseOptions {
  /** What to do with repeated and skipped wall times; default the Vixie rules (see dst-policy.ts). */
  dst?: DstPolicy;
}

/**
 * How far ahead one search looks. Every expression that can fire fires at least once in any
 * 41 years (the rarest day is 29 February on a given weekday, e.g. `0 0 * 2 MON#5`, up to 40
 * years apart around 2100), so this bound only ends schedules that no longer fire in their zone.
 */
export const SEARCH_HORIZON_YEARS = 50;
const HORIZON_MS = Math.round(SEARCH_HORIZON_YEARS * 365.2425) * DAY_MS;
/** Upper bound of `count` in next(): keeps the work of one call bounded. */
export const MAX_NEXT_COUNT = 10_000;

const NONE = Infinity;

/** next[v] = first value >= v in the field (or -1), for v in 0..size; next[size] = -1. */
function nextTable(field: CronField, size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  const present = new Set(field.values);
  let next = -1;
  for (let value = size - 1; value >= 0; value--) {
    if (present.has(value)) next = value;
    table[value] = next;
  }
  return table;
}

class CompiledSchedule implements CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly hasSeconds: boolean;
  readonly parsed: ParsedCron;
  private readonly zone: ZoneOffsets;
  private readonly unit: number;
  private readonly policy: Required<DstPolicy>;
  private readonly secondNext: Int8Array;
  private readonly minuteNext: Int8Array;
  private readonly hourNext: Int8Array;
  /** monthNext[m] = first allowed month >= m (1-12), or 0. */
  private readonly monthNext: Int8Array;
  private readonly firstMonth: number;
  private readonly firstSecond: number;
  private readonly firstMinute: number;
  /** First matching second of a day. */
  private readonly firstTime: number;
  private readonly dayMasks: Int32Array;
  private readonly ymd = [0, 0, 0];

  constructor(parsed: ParsedCron, timezone: string, dst: DstPolicy | undefined) {
    this.parsed = parsed;
    this.expression = parsed.expression;
    this.timezone = timezone;
    this.hasSeconds = parsed.hasSeconds;
    this.zone = zoneOffsets(timezone);
    this.unit = parsed.hasSeconds ? 1000 : 60_000;
    this.policy = resolveDstPolicy(dst, parsed.wild);
    this.secondNext = nextTable(parsed.second, 60);
    this.minuteNext = nextTable(parsed.minute, 60);
    this.hourNext = nextTable(parsed.hour, 24);
    this.monthNext = nextTable(parsed.month, 13);
    this.monthNext[0] = 0;
    this.monthNext[13] = 0;
    for (let month = 1; month <= 12; month++) if ((this.monthNext[month] ?? -1) < 0) this.monthNext[month] = 0;
    this.firstMonth = this.monthNext[1] ?? 1;
    this.firstSecond = this.secondNext[0] ?? 0;
    this.firstMinute = this.minuteNext[0] ?? 0;
    this.firstTime = (this.hourNext[0] ?? 0) * 3600 + this.firstMinute * 60 + this.firstSecond;
    this.dayMasks = dayMaskTable(parsed.dayOfMonth, parsed.dayOfWeek);
  }

  nextAfter(epochMs: number): number | null {
    if (!(epochMs === epochMs)) throw new RangeError('nextAfter: epochMs must be a number of milliseconds, got NaN');
    let from = Math.floor(epochMs);
    if (from >= MAX_EPOCH_MS) return null;
    if (from < MIN_EPOCH_MS) from = MIN_EPOCH_MS - 1;
    const limit = Math.min(from + HORIZON_MS, MAX_EPOCH_MS);
    const fixed = this.zone.fixedOffset;
    if (fixed !== undefined) {
      const wall = this.firstWallAtOrAfter(this.alignUp(from + fixed + 1), limit + fixed);
      return wall === NONE ? null : wall - fixed;
    }
    return this.nextInZone(from, limit);
  }

  next(from: Date, count: number): Date[] {
    if (!Number.isInteger(count) || count < 0 || count > MAX_NEXT_COUNT) {
      throw new RangeError(`count must be a whole number 0-${MAX_NEXT_COUNT}, got ${count}`);
    }
    let at = from instanceof Date ? from.getTime() : NaN;
    if (Number.isNaN(at)) throw new RangeError('from must be a valid Date');
    const result: Date[] = [];
    while (result.length < count) {
      const fire = this.nextAfter(at);
      if (fire === null) break;
      result.push(new Date(fire));
      at = fire;
    }
    return result;
  }

  private alignUp(wallMs: number): number {
    return Math.ceil(wallMs / this.unit) * this.unit;
  }

  /**
   * Walks the zone's offset periods in instant order. In each period the fires are the matching
   * wall times of that period's wall range; at a forward transition a job that shifts fires at the
   * transition when a wall time in the gap matches; in a repeated range a job fires at the first,
   * the last or both instants of each repeated wall time (dst-policy.ts).
   */
  private nextInZone(from: number, limit: number): number | null {
    const zone = this.zone;
    const policy = this.policy;
    const dropsFirst = policy.repeated === 'last';
    let period = zone.periodAt(from);
    let first = true;
    // Periods only move forward and the horizon ends the walk; the cap is a second safety net.
    for (let guard = 0; guard < 100_000; guard++) {
      const { start, end, offset, prevOffset } = period;
      if (start > limit) return null;
      if (!first && offset > prevOffset && shiftsGap(policy, offset - prevOffset)) {
        const lost = this.firstWallAtOrAfter(this.alignUp(start + prevOffset), limit + offset);
        if (lost < start + offset) return start;
      }
      let low = this.alignUp(first ? from + offset + 1 : start + offset);
      if (prevOffset > offset && repeatedInstants(policy, prevOffset - offset) === 'first') {
        const afterRepeat = this.alignUp(start + prevOffset);
        if (afterRepeat > low) low = afterRepeat;
      }
      // Under `last`, the wall times that the next period repeats fire there, not here.
      let high = end + offset;
      if (dropsFirst) {
        const following = zone.periodAt(end);
        if (
          following.prevOffset > following.offset &&
          repeatedInstants(policy, following.prevOffset - following.offset) === 'last'
        ) {
          high = end + following.offset;
        }
      }
      const wall = this.firstWallAtOrAfter(low, limit + offset);
      if (wall === NONE) return null;
      if (wall < high) {
        const fire = wall - offset;
        return fire > limit ? null : fire;
      }
      // Nothing left in this period. Far-away matches (rare expressions) jump ahead instead of
      // walking every period; only from a full period, so that no repeated range is skipped.
      if (!first && end - start >= DAY_MS && wall - offset - 3 * DAY_MS > end) {
        from = wall - offset - 2 * DAY_MS;
        period = zone.periodAt(from);
        first = true;
      } else {
        period = zone.periodAt(end);
        first = false;
      }
    }
    return null;
  }

  /** First matching wall time >= `wallMs` (aligned to the unit), or NONE past `limitWall`. */
  private firstWallAtOrAfter(wallMs: number, limitWall: number): number {
    const ymd = this.ymd;
    const days = Math.floor(wallMs / DAY_MS);
    let timeFrom = (wallMs - days * DAY_MS) / 1000;
    civilFromDays(days, ymd);
    let year = ymd[0] ?? 0;
    let month = ymd[1] ?? 1;
    let day = ymd[2] ?? 1;
    const limitDays = Math.floor(limitWall / DAY_MS);
    const monthNext = this.monthNext;
    for (;;) {
      const allowed = monthNext[month] ?? 0;
      if (allowed !== month) {
        if (allowed === 0) {
          year++;
          month = this.firstMonth;
        } else month = allowed;
        day = 1;
        timeFrom = 0;
      }
      const monthStart = daysFromCivil(year, month, 1);
      if (monthStart + day - 1 > limitDays) return NONE;
      const length = monthLength(year, month);
      const mask = (this.dayMasks[(length - 28) * 7 + weekdayOfDays(monthStart)] ?? 0) & (-1 << day);
      if (mask !== 0) {
        const found = 31 - Math.clz32(mask & -mask);
        if (found !== day) {
          day = found;
          timeFrom = 0;
        }
        const time = timeFrom === 0 ? this.firstTime : this.timeAtOrAfter(timeFrom);
        if (time >= 0) {
          const wall = ((monthStart + day - 1) * 86_400 + time) * 1000;
          return wall > limitWall ? NONE : wall;
        }
        day++;
        timeFrom = 0;
        if (day <= length) continue;
      }
      month++;
      if (month > 12) {
        month = 1;
        year++;
      }
      day = 1;
      timeFrom = 0;
    }
  }

  /** First matching second of the day >= `secondOfDay`, or -1. */
  private timeAtOrAfter(secondOfDay: number): number {
    const hour = (secondOfDay / 3600) | 0;
    const rest = secondOfDay - hour * 3600;
    const minute = (rest / 60) | 0;
    const second = rest - minute * 60;
    let nextHour = this.hourNext[hour] ?? -1;
    if (nextHour < 0) return -1;
    if (nextHour === hour) {
      const nextMinute = this.minuteNext[minute] ?? -1;
      if (nextMinute === minute) {
        const nextSecond = this.secondNext[second] ?? -1;
        if (nextSecond >= 0) return hour * 3600 + minute * 60 + nextSecond;
        const following = this.minuteNext[minute + 1] ?? -1;
        if (following >= 0) return hour * 3600 + following * 60 + this.firstSecond;
      } else if (nextMinute >= 0) {
        return hour * 3600 + nextMinute * 60 + this.firstSecond;
      }
      nextHour = this.hourNext[hour + 1] ?? -1;
      if (nextHour < 0) return -1;
    }
    return nextHour * 3600 + this.firstMinute * 60 + this.firstSecond;
  }
}

const compiled = new Map<string, CompiledSchedule>();
const MAX_COMPILED = 1000;

/**
 * Compiles an expression for a zone (default UTC). Throws {@link CronError} for an invalid
 * expression or zone. Compiled schedules are cached and shared.
 *
 * @example
 * const schedule = compileCron('0 9 * * MON-FRI', 'America/New_York');
 * schedule.next(new Date('2026-03-06T12:00:00Z'), 2); // Mon 9 Mar 13:00Z (EDT), Tue 10 Mar 13:00Z
 */
export function compileCron(expression: string, timezone = 'UTC', options: CompileOptions = {}): CronSchedule {
  const key = `${options.seconds ? 's' : '-'}${dstPolicyKey(options.dst)}${timezone}\u0000${expression}`;
  let schedule = compiled.get(key);
  if (schedule === undefined) {
    const parsed = parseCron(expression, options);
    schedule = new CompiledSchedule(parsed, validateTimeZone(timezone), options.dst);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value ?? key);
    compiled.set(key, schedule);
  }
  return schedule;
}

/**
 * The next `count` fire instants of `expression` in `timezone`, strictly after `from`.
 *
 * @example next('30 2 * * *', 'America/New_York', new Date('2026-03-07T12:00:00Z'), 2)
 * // 2026-03-08T07:00:00Z (03:00 EDT: 02:30 does not exist that day), 2026-03-09T06:30:00Z
 */
export function next(
  expression: string,
  timezone: string,
  from: Date,
  count: number,
  options?: CompileOptions,
): Date[] {
  return compileCron(expression, timezone, options).next(from, count);
}
