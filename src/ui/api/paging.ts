/**
 * Reading more than one page of a list: a whole time window of runs (offset paging with the
 * window's bounds fixed) and every schedule (keyset paging with `next_cursor`). Kept free of the
 * fetch client so that it can be tested on its own.
 */
import type { Run } from '../../sdk/index.ts';

/** A page of a list as the API answers it; `next_cursor` on keyset-paged lists (schedules). */
export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
  next_cursor?: string | null;
}

type Query = Record<string, string | number | boolean | undefined | null>;
type List<T> = (query: Query, signal?: AbortSignal) => Promise<Page<T>>;

/** Runs created in a window, newest first, as far as the cap allows. */
export interface RunWindow {
  runs: Run[];
  /** Every run in the window, those past the cap included. */
  total: number;
  /** The window holds more runs than were read. */
  capped: boolean;
}

/** Page size when reading a whole window of runs (the API's maximum). */
export const windowPageSize = 1000;
/** At most this many runs of one window are read (five pages). */
export const runWindowCap = 5000;
/** At most this many schedules are read by {@link readAllByCursor}. */
export const scheduleCap = 5000;

function throwIfAborted(signal?: AbortSignal): void {
  if (!signal?.aborted) return;
  const error = new Error('The read was aborted');
  error.name = 'AbortError';
  throw error;
}

/**
 * Every run created in [`from`, `to`) (the API bounds `created_at`), page after page up to `cap`.
 * `to` stays the same for the whole read, so runs created meanwhile do not shift the pages.
 */
export async function readRunWindow(
  list: List<Run>,
  from: Date,
  to: Date,
  query: Query = {},
  signal?: AbortSignal,
  cap = runWindowCap,
): Promise<RunWindow> {
  const runs: Run[] = [];
  let total = 0;
  for (let offset = 0; offset < cap; offset += windowPageSize) {
    throwIfAborted(signal);
    const limit = Math.min(windowPageSize, cap - offset);
    const answer = await list({ ...query, from: from.toISOString(), to: to.toISOString(), limit, offset }, signal);
    total = answer.total;
    runs.push(...answer.data);
    if (answer.data.length < limit || runs.length >= total) break;
  }
  return { runs, total: Math.max(total, runs.length), capped: runs.length < total };
}

/** Every item of a keyset-paged list, following `next_cursor` up to `cap`. */
export async function readAllByCursor<T>(
  list: List<T>,
  query: Query = {},
  signal?: AbortSignal,
  cap = scheduleCap,
): Promise<Page<T> & { capped: boolean }> {
  const data: T[] = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    throwIfAborted(signal);
    const answer = await list({ ...query, cursor }, signal);
    data.push(...answer.data);
    total = answer.total;
    cursor = answer.next_cursor ?? undefined;
  } while (cursor && data.length < cap);
  return {
    data,
    total: Math.max(total, data.length),
    limit: data.length,
    offset: 0,
    next_cursor: cursor ?? null,
    capped: data.length < total,
  };
}
