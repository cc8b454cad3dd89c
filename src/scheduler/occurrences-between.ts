import { occurrenceAfter, type OccurrenceSpec } from './next-fire.ts';

/**
 * The occurrences of a schedule in `(fromMs, toMs]`, in order, at most `limit` (the caller asks
 * for one more than it accepts, to tell a full window from an exact fit).
 *
 * Seam: this walks the next-fire code one occurrence at a time. When the schedule spec grows DST
 * policies and excluded dates (branch `cron`), this is the one place to switch to the exported
 * "occurrences between two instants" function, so that backfill honours them too.
 */
export function occurrencesBetween(spec: OccurrenceSpec, fromMs: number, toMs: number, limit: number): number[] {
  const times: number[] = [];
  let t: number | null = fromMs;
  while (times.length < limit && (t = occurrenceAfter(spec, t)) !== null && t <= toMs) times.push(t);
  return times;
}
