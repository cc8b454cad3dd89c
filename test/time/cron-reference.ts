// A brute-force cron reference for the tests, independent of src/time: expressions are generated
// as text together with naive predicates, wall times are walked in calendar order and each
// matching wall time is mapped to instants through offsets learnt from Intl, then the DST rules are
// applied one wall time at a time and the instants sorted.

const DAY = 86_400_000;
const HOUR = 3_600_000;

export type Rng = () => number;

/** mulberry32: small, seedable, good enough to pick test cases. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

// ---------------------------------------------------------------------------------------------
// Expressions

export interface RefExpression {
  text: string;
  seconds: boolean;
  wild: boolean;
  secondValues: number[];
  minuteValues: number[];
  hourValues: number[];
  monthMatches: (month: number) => boolean;
  dayMatches: (year: number, month: number, day: number) => boolean;
}

interface RefField {
  text: string;
  /** For second, minute, hour and month fields. */
  matches: (value: number) => boolean;
}

function valuesOf(field: RefField, max: number): number[] {
  const values: number[] = [];
  for (let value = 0; value <= max; value++) if (field.matches(value)) values.push(value);
  return values;
}

/** Second, minute, hour and month fields. */
function numericField(
  rng: Rng,
  min: number,
  max: number,
  interesting: readonly number[],
  names?: readonly string[],
): RefField {
  const value = (): number => (rng() < 0.7 ? pick(rng, interesting) : int(rng, min, max));
  const show = (v: number): string =>
    names && rng() < 0.3 ? (rng() < 0.5 ? names[v - min]! : names[v - min]!.toLowerCase()) : String(v);
  const shape = rng();
  if (shape < 0.2) return { text: rng() < 0.9 ? '*' : '?', matches: () => true };
  if (shape < 0.32) {
    // cronie takes any positive step; one beyond the span keeps only the minimum.
    const step = pick(rng, [
      2,
      3,
      5,
      7,
      10,
      15,
      20,
      30,
      int(rng, 1, max - min + 1),
      int(rng, max - min, max - min + 40),
    ]);
    return { text: `*/${step}`, matches: (v) => (v - min) % step === 0 };
  }
  if (shape < 0.62) {
    const v = value();
    return { text: show(v), matches: (x) => x === v };
  }
  if (shape < 0.75) {
    const list = [...new Set([value(), value(), value()])];
    return { text: list.map(show).join(','), matches: (x) => list.includes(x) };
  }
  if (shape < 0.85) {
    const a = value();
    const b = int(rng, a, Math.min(max, a + int(rng, 0, 6)));
    return { text: `${show(a)}-${show(b)}`, matches: (x) => x >= a && x <= b };
  }
  if (shape < 0.93) {
    const a = int(rng, min, max);
    const b = int(rng, a, max);
    const step = rng() < 0.8 ? int(rng, 1, Math.max(1, Math.min(b - a + 1, 20))) : int(rng, b - a, b - a + 70);
    return { text: `${a}-${b}/${step}`, matches: (x) => x >= a && x <= b && (x - a) % step === 0 };
  }
  const a = int(rng, min, max);
  const step = rng() < 0.8 ? int(rng, 1, Math.min(max - min + 1, 20)) : int(rng, max - a, max - a + 70);
  return { text: `${a}/${step}`, matches: (x) => x >= a && (x - a) % step === 0 };
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay();
const isWeekday = (year: number, month: number, day: number): boolean => {
  const weekday = weekdayOf(year, month, day);
  return weekday >= 1 && weekday <= 5;
};

type DayPredicate = (year: number, month: number, day: number) => boolean;

/** The weekday of the month closest to `target` (never leaving the month); weekends have no ties. */
function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const length = daysIn(year, month);
  if (target > length) return undefined;
  let best: number | undefined;
  for (let day = 1; day <= length; day++) {
    if (isWeekday(year, month, day) && (best === undefined || Math.abs(day - target) < Math.abs(best - target)))
      best = day;
  }
  return best;
}

function dayOfMonthItem(rng: Rng): { text: string; matches: DayPredicate } {
  const shape = rng();
  if (shape < 0.3) {
    const v = rng() < 0.5 ? pick(rng, [1, 15, 28, 29, 30, 31]) : int(rng, 1, 31);
    return { text: String(v), matches: (_y, _m, d) => d === v };
  }
  if (shape < 0.42) {
    const a = int(rng, 1, 31);
    const b = int(rng, a, 31);
    return { text: `${a}-${b}`, matches: (_y, _m, d) => d >= a && d <= b };
  }
  if (shape < 0.52) return { text: 'L', matches: (y, m, d) => d === daysIn(y, m) };
  if (shape < 0.62) {
    const k = int(rng, 0, 30);
    return { text: `L-${k}`, matches: (y, m, d) => d === daysIn(y, m) - k };
  }
  if (shape < 0.78) {
    const target = rng() < 0.5 ? pick(rng, [1, 15, 30, 31]) : int(rng, 1, 31);
    return { text: `${target}W`, matches: (y, m, d) => nearestWeekday(y, m, target) === d };
  }
  if (shape < 0.88) {
    return {
      text: 'LW',
      matches: (y, m, d) => {
        let last = daysIn(y, m);
        while (!isWeekday(y, m, last)) last--;
        return d === last;
      },
    };
  }
  const a = int(rng, 1, 31);
  const step = int(rng, 1, 15);
  return { text: `${a}/${step}`, matches: (_y, _m, d) => d >= a && (d - a) % step === 0 };
}

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function dayOfWeekItem(rng: Rng): { text: string; matches: DayPredicate } {
  const show = (v: number): string =>
    rng() < 0.3 && v < 7 ? (rng() < 0.5 ? WEEKDAYS[v]! : WEEKDAYS[v]!.toLowerCase()) : String(v);
  const shape = rng();
  if (shape < 0.3) {
    const v = int(rng, 0, 7);
    return { text: show(v), matches: (y, m, d) => weekdayOf(y, m, d) === v % 7 };
  }
  if (shape < 0.5) {
    const a = int(rng, 0, 7);
    const b = int(rng, a, 7);
    return {
      text: `${show(a)}-${show(b)}`,
      matches: (y, m, d) => {
        const w = weekdayOf(y, m, d);
        return (w >= a && w <= b) || (w === 0 && b === 7);
      },
    };
  }
  if (shape < 0.62) {
    // Steps over cronie's 0-7 (7 is Sunday again): `5/2` is Friday and Sunday, `*\/n` from 0.
    const a = int(rng, 0, 7);
    const b = int(rng, a, 7);
    const step = rng() < 0.8 ? int(rng, 1, 7) : int(rng, 7, 30);
    const form = rng();
    const [from, to, text] =
      form < 0.4
        ? [a, 7, `${show(a)}/${step}`]
        : form < 0.7
          ? [a, b, `${show(a)}-${show(b)}/${step}`]
          : [0, 7, `*/${step}`];
    const weekdays = new Set<number>();
    for (let v = from; v <= to; v += step) weekdays.add(v % 7);
    return { text, matches: (y, m, d) => weekdays.has(weekdayOf(y, m, d)) };
  }
  if (shape < 0.8) {
    const v = int(rng, 0, 7);
    const nth = int(rng, 1, 5);
    return {
      text: `${show(v)}#${nth}`,
      matches: (y, m, d) => weekdayOf(y, m, d) === v % 7 && Math.ceil(d / 7) === nth,
    };
  }
  const v = int(rng, 0, 7);
  return { text: `${show(v)}L`, matches: (y, m, d) => weekdayOf(y, m, d) === v % 7 && d + 7 > daysIn(y, m) };
}

function listOf(
  rng: Rng,
  item: (rng: Rng) => { text: string; matches: DayPredicate },
): { text: string; matches: DayPredicate } {
  const items = Array.from({ length: rng() < 0.75 ? 1 : 2 }, () => item(rng));
  return { text: items.map((i) => i.text).join(','), matches: (y, m, d) => items.some((i) => i.matches(y, m, d)) };
}

/** Daily or Sunday jobs at the hours a zone skips or repeats: fixed (`30 2 * * *`) or wild (every 7 minutes of hour 2). */
function dstExpression(rng: Rng, interesting: InterestingTimes): RefExpression {
  const hourValue = pick(rng, interesting.hours);
  const hours = rng() < 0.8 ? [hourValue] : [hourValue, (hourValue + 1) % 24];
  const shape = rng();
  let minuteText: string;
  let minutes: number[];
  if (shape < 0.45) {
    const minute = rng() < 0.6 && interesting.minutes.length > 0 ? pick(rng, interesting.minutes) : int(rng, 0, 59);
    minuteText = String(minute);
    minutes = [minute];
  } else if (shape < 0.6) {
    minutes = [...new Set([int(rng, 0, 59), int(rng, 0, 59), pick(rng, [0, 15, 30, 45])])].sort((a, b) => a - b);
    minuteText = minutes.join(',');
  } else {
    const step = pick(rng, [1, 5, 7, 10, 15, 20, 30]);
    minuteText = step === 1 ? '*' : `*/${step}`;
    minutes = Array.from({ length: 60 }, (_, i) => i).filter((m) => m % step === 0);
  }
  const sundays = rng() < 0.2;
  const seconds = rng() < 0.1;
  const secondText = seconds ? pick(rng, ['0', '30', '*/20']) : '0';
  const secondValues = secondText === '*/20' ? [0, 20, 40] : [Number(secondText)];
  const fields = [minuteText, hours.join(','), '*', '*', sundays ? 'SUN' : '*'];
  return {
    text: (seconds ? [secondText, ...fields] : fields).join(' '),
    seconds,
    wild: minuteText.startsWith('*') || (seconds && secondText.startsWith('*')),
    secondValues,
    minuteValues: minutes,
    hourValues: [...hours].sort((a, b) => a - b),
    monthMatches: () => true,
    dayMatches: (y, m, d) => !sundays || weekdayOf(y, m, d) === 0,
  };
}

/** Hours and minutes worth testing in a zone: those of its gaps and repeated ranges. */
export interface InterestingTimes {
  hours: readonly number[];
  minutes: readonly number[];
}

/**
 * A random expression, biased to shapes that meet DST (times inside the zone's gaps and repeated
 * ranges, fixed and wild) and to the L, W and # extensions.
 */
export function randomExpression(
  rng: Rng,
  interesting: InterestingTimes = { hours: [0, 1, 2, 3, 23], minutes: [0, 30] },
): RefExpression {
  if (rng() < 0.3) return dstExpression(rng, interesting);
  const seconds = rng() < 0.15;
  const second = seconds ? numericField(rng, 0, 59, [0, 30, 59, 15]) : { text: '0', matches: (v: number) => v === 0 };
  const minute = numericField(rng, 0, 59, [0, 30, 15, 45, 59, 1, ...interesting.minutes, ...interesting.minutes]);
  const hour = numericField(rng, 0, 23, [...interesting.hours, ...interesting.hours, 12]);
  const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const month =
    rng() < 0.75 ? { text: '*', matches: () => true } : numericField(rng, 1, 12, [3, 4, 9, 10, 11, 2, 12], monthNames);
  const domShape = rng();
  const dom =
    domShape < 0.55
      ? { text: rng() < 0.9 ? '*' : '?', matches: () => true }
      : domShape < 0.6
        ? (() => {
            const step = int(rng, 2, 10);
            return { text: `*/${step}`, matches: (_y: number, _m: number, d: number) => (d - 1) % step === 0 };
          })()
        : listOf(rng, dayOfMonthItem);
  const dowShape = rng();
  const dow =
    dowShape < 0.6
      ? { text: rng() < 0.9 ? '*' : '?', matches: () => true }
      : dowShape < 0.65
        ? { text: '*/2', matches: (y: number, m: number, d: number) => weekdayOf(y, m, d) % 2 === 0 }
        : listOf(rng, dayOfWeekItem);
  const star = (text: string): boolean => text.startsWith('*') || text.startsWith('?');
  const either = !star(dom.text) && !star(dow.text);
  const fields = [minute.text, hour.text, dom.text, month.text, dow.text];
  return {
    text: (seconds ? [second.text, ...fields] : fields).join(' '),
    seconds,
    wild: (seconds && star(second.text)) || star(minute.text) || star(hour.text),
    secondValues: valuesOf(second, 59),
    minuteValues: valuesOf(minute, 59),
    hourValues: valuesOf(hour, 23),
    monthMatches: (m) => month.matches(m),
    dayMatches: (y, m, d) =>
      either ? dom.matches(y, m, d) || dow.matches(y, m, d) : dom.matches(y, m, d) && dow.matches(y, m, d),
  };
}

/** Whether any day of the 400-year Gregorian cycle matches (an expression that never fires has none). */
export function canEverFire(expression: RefExpression): boolean {
  for (let year = 2000; year < 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      if (!expression.monthMatches(month)) continue;
      for (let day = 1; day <= daysIn(year, month); day++) if (expression.dayMatches(year, month, day)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Zones

interface Transition {
  at: number;
  before: number;
  after: number;
}

/** Offsets of a zone learnt from Intl over a fixed range, sampled every 12 hours and bisected. */
export class ReferenceZone {
  readonly transitions: Transition[] = [];
  private readonly format: Intl.DateTimeFormat;
  private readonly firstOffset: number;
  /** Smallest and largest offsets over the range. */
  minOffset: number;
  maxOffset: number;

  constructor(
    readonly name: string,
    readonly fromMs = Date.UTC(1998, 0, 1),
    readonly toMs = Date.UTC(2043, 0, 1),
  ) {
    this.format = new Intl.DateTimeFormat('en-GB', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    this.firstOffset = this.intlOffset(fromMs);
    let previous = fromMs;
    let previousOffset = this.firstOffset;
    for (let at = fromMs + 12 * HOUR; at <= toMs; at += 12 * HOUR) {
      const offset = this.intlOffset(at);
      if (offset !== previousOffset) {
        let lo = previous;
        let hi = at;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (this.intlOffset(mid) === previousOffset) lo = mid;
          else hi = mid;
        }
        this.transitions.push({ at: hi, before: previousOffset, after: this.intlOffset(hi) });
        if (this.intlOffset(hi) !== offset)
          throw new Error(`two transitions within 12 hours in ${name} near ${new Date(at).toISOString()}`);
      }
      previous = at;
      previousOffset = offset;
    }
    const offsets = [this.firstOffset, ...this.transitions.map((t) => t.after)];
    this.minOffset = Math.min(...offsets);
    this.maxOffset = Math.max(...offsets);
  }

  /** Wall time (ms as if UTC) of an instant, straight from Intl. */
  intlWall(instant: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(instant))
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  }

  private intlOffset(instant: number): number {
    const at = Math.floor(instant / 1000) * 1000;
    return this.intlWall(at) - at;
  }

  offsetAt(instant: number): number {
    if (instant < this.fromMs || instant > this.toMs)
      throw new Error(`reference zone ${this.name} does not cover ${new Date(instant).toISOString()}`);
    let lo = 0;
    let hi = this.transitions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.transitions[mid]!.at <= instant) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? this.firstOffset : this.transitions[lo - 1]!.after;
  }

  /**
   * Instants whose wall time is `wall`: one, two (repeated) or none; for none, `gapEnd` is the
   * first instant after the gap that swallowed it.
   */
  instantsOf(wall: number): { instants: number[]; gapEnd?: number; gapMs?: number; repeatMs?: number } {
    const offsets = new Set([this.offsetAt(wall - 15 * HOUR), this.offsetAt(wall + 15 * HOUR)]);
    for (const t of this.transitions)
      if (t.at >= wall - 15 * HOUR && t.at <= wall + 15 * HOUR) offsets.add(t.before).add(t.after);
    const instants = [...offsets]
      .map((offset) => wall - offset)
      .filter((instant) => this.offsetAt(instant) === wall - instant);
    instants.sort((a, b) => a - b);
    if (instants.length > 1) {
      const repeat = this.transitions.find(
        (t) => t.after < t.before && wall >= t.at + t.after && wall < t.at + t.before,
      );
      if (!repeat)
        throw new Error(`wall time ${new Date(wall).toISOString()} occurs twice outside a repeat in ${this.name}`);
      return { instants, repeatMs: repeat.before - repeat.after };
    }
    if (instants.length > 0) return { instants };
    const gap = this.transitions.find((t) => t.after > t.before && wall >= t.at + t.before && wall < t.at + t.after);
    if (!gap)
      throw new Error(`wall time ${new Date(wall).toISOString()} neither exists nor falls in a gap in ${this.name}`);
    return { instants, gapEnd: gap.at, gapMs: gap.after - gap.before };
  }
}

/** The hours and minutes of the wall times that a zone's transitions skip or repeat. */
export function interestingTimes(zone: ReferenceZone, from: number, to: number): InterestingTimes {
  const hours = new Set<number>();
  const minutes = new Set<number>();
  for (const t of zone.transitions) {
    if (t.at < from || t.at > to) continue;
    const low = t.at + Math.min(t.before, t.after);
    const high = t.at + Math.max(t.before, t.after);
    // A skipped day (Apia 2011) would make every hour interesting: keep its first hours only.
    for (let wall = low; wall < high && wall < low + 3 * HOUR; wall += 15 * 60_000)
      hours.add(new Date(wall).getUTCHours());
    minutes.add(new Date(low).getUTCMinutes()).add(new Date(high - 60_000).getUTCMinutes());
  }
  return { hours: hours.size > 0 ? [...hours] : [0, 1, 2, 3, 23], minutes: [...minutes] };
}

// ---------------------------------------------------------------------------------------------
// Fires

/** A schedule's DST policy (keys left out: the Vixie rule for the job). */
export interface RefDstPolicy {
  repeated?: 'first' | 'last' | 'both';
  skipped?: 'shift' | 'skip';
}

// cronie's clock-change bounds (cron.c: |wall minutes now - last handled| > 180): a forward jump
// of 180 minutes or more and a backward jump of 182 minutes or more are not DST.
const FORWARD_CLOCK_CHANGE = 180 * 60_000;
const BACKWARD_CLOCK_CHANGE = 182 * 60_000;

/** Which instants of one wall time fire, given how many it has and the jump around it. */
function chosenInstants(
  expression: RefExpression,
  policy: RefDstPolicy,
  found: { instants: number[]; gapEnd?: number; gapMs?: number; repeatMs?: number },
): number[] {
  const { instants } = found;
  if (instants.length === 0) {
    if (found.gapMs! >= FORWARD_CLOCK_CHANGE) return [];
    const skipped = policy.skipped ?? (expression.wild ? 'skip' : 'shift');
    return skipped === 'shift' ? [found.gapEnd!] : [];
  }
  if (instants.length === 1) return instants;
  if (found.repeatMs! >= BACKWARD_CLOCK_CHANGE) return instants;
  const repeated = policy.repeated ?? (expression.wild ? 'both' : 'first');
  return repeated === 'both' ? instants : repeated === 'first' ? [instants[0]!] : [instants[1]!];
}

export interface ReferenceResult {
  fires: number[];
  /** Fires at the end of a gap (fixed jobs) and second fires of repeated wall times (wild jobs) among `fires`. */
  gapFires: number;
  repeatFires: number;
  /** Matching wall times lost to a clock change (a forward jump of 3 hours or more), not caught up. */
  clockChangeLosses: number;
  /** Every fire up to this instant was found (the scan stopped there). */
  coveredUntil: number;
}

/** The first `count` fires strictly after `from`, by walking wall times in calendar order. */
export function referenceFires(
  expression: RefExpression,
  zone: ReferenceZone,
  from: number,
  count: number,
  scanDays = 4000,
  policy: RefDstPolicy = {},
): ReferenceResult {
  const fires = new Set<number>();
  const gapEnds = new Set<number>();
  const repeats = new Set<number>();
  let clockChangeLosses = 0;
  // A wall time w has its instants in [w - maxOffset, w - minOffset]: walls before from + minOffset
  // only have instants up to `from`, and walls after nth + maxOffset only instants after nth.
  const startWall = from + zone.minOffset;
  const firstDay = Math.floor(startWall / DAY);
  let nth = Infinity;
  scan: for (let dayIndex = firstDay; dayIndex <= firstDay + scanDays; dayIndex++) {
    const date = new Date(dayIndex * DAY);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (dayIndex * DAY - zone.maxOffset > nth) break;
    if (!expression.monthMatches(month) || !expression.dayMatches(year, month, day)) continue;
    for (const hour of expression.hourValues) {
      for (const minute of expression.minuteValues) {
        for (const second of expression.secondValues) {
          const wall = dayIndex * DAY + hour * HOUR + minute * 60_000 + second * 1000;
          if (wall < startWall) continue;
          if (wall - zone.maxOffset > nth) break scan;
          const found = zone.instantsOf(wall);
          const chosen = chosenInstants(expression, policy, found);
          if (found.instants.length === 0 && chosen.length > 0) gapEnds.add(found.gapEnd!);
          if (found.instants.length === 0 && found.gapMs! >= FORWARD_CLOCK_CHANGE && found.gapEnd! > from)
            clockChangeLosses++;
          if (found.instants.length === 2 && chosen.length === 2) repeats.add(found.instants[1]!);
          for (const instant of chosen) {
            if (instant <= from || instant >= nth || fires.has(instant)) continue;
            fires.add(instant);
            if (fires.size >= count) nth = [...fires].sort((a, b) => a - b)[count - 1]!;
          }
        }
      }
    }
  }
  const sorted = [...fires].sort((a, b) => a - b).slice(0, count);
  const coveredUntil = sorted.length >= count ? Infinity : (firstDay + scanDays + 1) * DAY - zone.maxOffset - 1;
  return {
    fires: sorted,
    coveredUntil,
    gapFires: sorted.filter((at) => gapEnds.has(at)).length,
    repeatFires: sorted.filter((at) => repeats.has(at)).length,
    clockChangeLosses,
  };
}
