import { DAY_MS, MAX_EPOCH_MS, MIN_EPOCH_MS, SECOND_MS, wallMsOf } from './calendar.ts';

/** A stretch of time with one UTC offset. `wall = instant + offset` inside it. */
export interface OffsetPeriod {
  /** First instant (ms since epoch) of the period. */
  readonly start: number;
  /** First instant after the period. */
  readonly end: number;
  /** UTC offset in ms (wall time minus UTC). */
  readonly offset: number;
  /** Offset just before `start`. It differs from `offset` only at a real transition. */
  readonly prevOffset: number;
}

// Offsets are learnt lazily from Intl, in 60-day chunks, once per zone and process: sampled daily,
// each change narrowed to the exact second by bisection. Chunk edges are pseudo boundaries
// (prevOffset === offset). Two transitions less than a day apart that cancel out would be missed;
// tzdb has none since 1970.
const CHUNK_MS = 60 * DAY_MS;
const SAMPLE_MS = DAY_MS;
const MAX_CHUNKS = 20_000;

const FIXED_ZONE = /^(UTC|Etc\/(GMT|UTC|UCT|Universal|Zulu|Greenwich)([+-]\d{1,2})?|GMT)$/;

/** Offsets of one IANA zone, with a one-period cache so that steady-state lookups make no Intl call. */
export class ZoneOffsets {
  readonly name: string;
  /** Set for zones that never change offset (UTC, Etc/GMT±N): the engine's fast path. */
  readonly fixedOffset: number | undefined;
  private readonly formatter: Intl.DateTimeFormat;
  private readonly chunks = new Map<number, OffsetPeriod[]>();
  private last: OffsetPeriod = { start: 0, end: 0, offset: 0, prevOffset: 0 };

  constructor(name: string) {
    this.name = name;
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.fixedOffset = FIXED_ZONE.test(name) ? this.sample(0) : undefined;
    if (this.fixedOffset !== undefined) {
      const offset = this.fixedOffset;
      this.last = { start: -Infinity, end: Infinity, offset, prevOffset: offset };
    }
  }

  /** The period containing `instant`. */
  periodAt(instant: number): OffsetPeriod {
    const last = this.last;
    if (instant >= last.start && instant < last.end) return last;
    const index = Math.floor(instant / CHUNK_MS);
    const periods = this.chunks.get(index) ?? this.load(index);
    for (let i = periods.length - 1; i > 0; i--) {
      const period = periods[i];
      if (period !== undefined && instant >= period.start) return (this.last = period);
    }
    return (this.last = periods[0] ?? last);
  }

  offsetAt(instant: number): number {
    return this.periodAt(instant).offset;
  }

  /** Offset at an instant, straight from Intl (whole seconds; instants clamped to years 1-9999). */
  private sample(instant: number): number {
    const at = Math.floor(Math.min(Math.max(instant, MIN_EPOCH_MS), MAX_EPOCH_MS + DAY_MS) / SECOND_MS) * SECOND_MS;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.formatter.formatToParts(at)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value) % 24;
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    return wallMsOf(year, month, day, hour, minute, second) - at;
  }

  private load(index: number): OffsetPeriod[] {
    const start = index * CHUNK_MS;
    const lastSecond = start + CHUNK_MS - SECOND_MS;
    const starts = [start];
    const offsets = [this.sample(start)];
    let previous = start;
    let previousOffset = offsets[0] ?? 0;
    for (let at = start + SAMPLE_MS; ; at += SAMPLE_MS) {
      const point = Math.min(at, lastSecond);
      const offset = this.sample(point);
      if (offset !== previousOffset) this.narrow(previous, previousOffset, point, offset, starts, offsets);
      previous = point;
      previousOffset = offset;
      if (point === lastSecond) break;
    }
    let prevOffset = this.sample(start - SECOND_MS);
    const periods: OffsetPeriod[] = starts.map((periodStart, i) => {
      const offset = offsets[i] ?? 0;
      const period = { start: periodStart, end: starts[i + 1] ?? start + CHUNK_MS, offset, prevOffset };
      prevOffset = offset;
      return period;
    });
    if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
    this.chunks.set(index, periods);
    return periods;
  }

  /** Finds every change of offset in (low, high], in order, by bisection to the second. */
  private narrow(
    low: number,
    lowOffset: number,
    high: number,
    highOffset: number,
    starts: number[],
    offsets: number[],
  ): void {
    let from = low;
    let fromOffset = lowOffset;
    while (fromOffset !== highOffset) {
      let lo = from;
      let hi = high;
      let hiOffset = highOffset;
      while (hi - lo > SECOND_MS) {
        const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
        const offset = this.sample(mid);
        if (offset === fromOffset) lo = mid;
        else {
          hi = mid;
          hiOffset = offset;
        }
      }
      starts.push(hi);
      offsets.push(hiOffset);
      from = hi;
      fromOffset = hiOffset;
    }
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The shared offset cache of a zone, by canonical name (see validateTimeZone). */
export function zoneOffsets(canonicalName: string): ZoneOffsets {
  let zone = zones.get(canonicalName);
  if (zone === undefined) {
    zone = new ZoneOffsets(canonicalName);
    zones.set(canonicalName, zone);
  }
  return zone;
}
