import { DAY_MS } from './calendar.ts';
import { zoneOffsets } from './zone.ts';
import { validateTimeZone } from './zone-name.ts';

/** A change of a zone's UTC offset. */
export interface OffsetTransition {
  /** First instant (ms) with the new offset. */
  at: number;
  /** Offsets in ms (wall time minus UTC) before and after. */
  offsetBefore: number;
  offsetAfter: number;
}

/**
 * The first change of `timezone`'s offset strictly after `afterMs`, within `horizonDays` (default
 * two years), or null (UTC, or a zone without DST). Throws {@link CronError} for an unknown zone.
 *
 * @example nextOffsetTransition('America/New_York', Date.parse('2026-01-01T00:00Z'))
 * // { at: Date.parse('2026-03-08T07:00Z'), offsetBefore: -18_000_000, offsetAfter: -14_400_000 }
 */
export function nextOffsetTransition(timezone: string, afterMs: number, horizonDays = 731): OffsetTransition | null {
  const zone = zoneOffsets(validateTimeZone(timezone));
  if (zone.fixedOffset !== undefined) return null;
  const limit = afterMs + horizonDays * DAY_MS;
  let period = zone.periodAt(afterMs);
  // Chunk edges are pseudo periods with an unchanged offset: walk past them.
  while (period.end <= limit) {
    period = zone.periodAt(period.end);
    if (period.offset !== period.prevOffset)
      return { at: period.start, offsetBefore: period.prevOffset, offsetAfter: period.offset };
  }
  return null;
}
