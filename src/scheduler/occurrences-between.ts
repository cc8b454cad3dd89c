import { isExcluded, occurrenceAfter, type OccurrenceSpec } from './next-fire.ts';

export interface OccurrencesBetween {
  /** Occurrences in `(fromMs, toMs]` that fire, in order, at most `limit`. */
  occurrences: number[];
  /** Occurrences in the same range on excluded dates (not counted in `limit`; at most 100,000). */
  excluded: number[];
  /** True when the range holds more than `limit` occurrences (the list stops at `limit`). */
  truncated: boolean;
}

/**
 * Every occurrence of a schedule in `(fromMs, toMs]`, honouring its start/end, DST policy and
 * excluded dates: what a backfill creates runs for. Stops after `limit` and says so.
 *
 * @example occurrencesBetween(occurrenceSpecOf(row), Date.parse('2026-12-01T00:00Z'), Date.parse('2026-12-31T00:00Z'), 1000)
 */
export function occurrencesBetween(
  spec: OccurrenceSpec,
  fromMs: number,
  toMs: number,
  limit: number,
): OccurrencesBetween {
  const occurrences: number[] = [];
  const excluded: number[] = [];
  for (let t = occurrenceAfter(spec, fromMs); t !== null && t <= toMs; t = occurrenceAfter(spec, t)) {
    if (isExcluded(spec, t)) {
      if (excluded.length >= 100_000) break;
      excluded.push(t);
    } else if (occurrences.length === limit) {
      return { occurrences, excluded, truncated: true };
    } else occurrences.push(t);
  }
  return { occurrences, excluded, truncated: false };
}
