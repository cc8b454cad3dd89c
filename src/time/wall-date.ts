import { wallDateOf, wallMsOf, type WallDate } from './calendar.ts';
import { zoneOffsets } from './zone.ts';
import { validateTimeZone } from './zone-name.ts';

/**
 * The wall-clock date and time of an instant in a zone (weekday 0 = Sunday), for input templates
 * such as `{{date}}` and `{{day_of_week}}`. Throws {@link CronError} for an unknown zone.
 *
 * @example wallDateInZone(Date.UTC(2026, 0, 1, 3), 'America/New_York') // 2025-12-31 22:00:00, weekday 3
 */
export function wallDateInZone(epochMs: number, timezone: string): WallDate {
  const zone = zoneOffsets(validateTimeZone(timezone));
  const instant = Math.floor(epochMs);
  return wallDateOf(instant + zone.offsetAt(instant));
}

const ZONE_SPAN_MS = 15 * 3_600_000;

/**
 * The instant of a wall-clock time in a zone. A repeated wall time (fall back) gives the earlier
 * instant; a skipped one (spring forward) gives the first instant after the gap, as fixed cron
 * jobs do. Throws {@link CronError} for an unknown zone.
 *
 * @example wallTimeToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York')
 * // Date.UTC(2026, 2, 8, 7) (03:00 EDT)
 */
export function wallTimeToInstant(
  wall: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timezone: string,
): number {
  const zone = zoneOffsets(validateTimeZone(timezone));
  const wallMs = wallMsOf(wall.year, wall.month, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0);
  // Periods in instant order: the first that holds the wall time (or loses it in a gap) wins.
  let period = zone.periodAt(wallMs - ZONE_SPAN_MS);
  for (let step = 0; step < 16 && period.start <= wallMs + ZONE_SPAN_MS; step++, period = zone.periodAt(period.end)) {
    if (
      period.offset > period.prevOffset &&
      wallMs >= period.start + period.prevOffset &&
      wallMs < period.start + period.offset
    ) {
      return period.start;
    }
    const instant = wallMs - period.offset;
    if (instant >= period.start && instant < period.end) return instant;
  }
  return wallMs - zone.offsetAt(wallMs);
}
