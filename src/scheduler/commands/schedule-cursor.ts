import { z } from 'zod';
import { invalid } from '../../errors.ts';
import type { ScheduleCursor, ScheduleRow } from '../../store/schedules.ts';

/** An opaque cursor: the last row's created_at (microseconds since the epoch) and id. */
export function encodeCursor(row: ScheduleRow & { created_us?: string }): string {
  return Buffer.from(JSON.stringify([row.created_us, row.id])).toString('base64url');
}

/** The position a cursor of {@link encodeCursor} names; `invalid_request` on `cursor` otherwise. */
export function decodeCursor(cursor: string): ScheduleCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      /^-?\d+$/.test(value[0]) &&
      z.uuid().safeParse(value[1]).success
    ) {
      return { createdUs: value[0], id: value[1] as string };
    }
  } catch {
    // reported below
  }
  throw invalid('cursor', 'is not a cursor this server gave out: pass the next_cursor of the previous page', {
    location: 'query',
  });
}
