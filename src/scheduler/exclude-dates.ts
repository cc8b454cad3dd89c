import { z } from 'zod';
import { wallDateInZone } from '../time/index.ts';

/** Most dates one schedule may exclude: a few years of holidays, bounded work per occurrence. */
export const MAX_EXCLUDE_DATES = 1000;

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && year >= 1;
}

/**
 * `exclude_dates`: wall-clock dates (`YYYY-MM-DD`) in the schedule's zone; a bad entry is a 422
 * whose field is `exclude_dates.<index>`. Stored sorted and without duplicates.
 */
export const excludeDatesSchema = z
  .array(
    z.string().superRefine((value, context) => {
      if (!isCalendarDate(value)) {
        context.addIssue({
          code: 'custom',
          message: `"${value}" is not a date; write YYYY-MM-DD, a wall-clock date in the schedule's zone, e.g. 2026-12-25`,
        });
      }
    }),
  )
  .max(MAX_EXCLUDE_DATES, `at most ${MAX_EXCLUDE_DATES} dates; drop dates that have passed`)
  .transform((dates) => [...new Set(dates)].sort());

/** The wall-clock date (`YYYY-MM-DD`) of an instant in a zone. */
export function wallDateKey(epochMs: number, timezone: string): string {
  const { year, month, day } = wallDateInZone(epochMs, timezone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
