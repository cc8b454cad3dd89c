import { describe, expect, it } from 'vitest';
import { readAllByCursor, readRunWindow, runWindowCap, windowPageSize } from '../../src/ui/api/paging.ts';
import type { Page } from '../../src/ui/api/paging.ts';
import type { Run, Schedule } from '../../src/sdk/index.ts';

/**
 * How the dashboard reads a whole time window of runs (offset paging within fixed `from`/`to`)
 * and every schedule (`next_cursor`), against fake lists that record what they were asked.
 */

type Query = Record<string, unknown>;

/** A runs list holding `total` runs, answering the slice `limit`/`offset` asks for. */
function runsList(total: number) {
  const asked: Query[] = [];
  const list = async (query: Query): Promise<Page<Run>> => {
    asked.push(query);
    const limit = Number(query.limit);
    const offset = Number(query.offset);
    const count = Math.max(0, Math.min(limit, total - offset));
    const data = Array.from({ length: count }, (_, i) => ({ id: `run-${offset + i}`, status: 'success' }) as Run);
    return { data, total, limit, offset };
  };
  return { list, asked };
}

const to = new Date('2026-03-01T12:00:00.000Z');
const from = new Date(to.getTime() - 86_400_000);

describe('reading a window of runs', () => {
  it('asks for the window, with the other filters, and reads one page when it holds one', async () => {
    const { list, asked } = runsList(12);
    const window = await readRunWindow(list, from, to, { status: 'error' });
    expect(window).toMatchObject({ total: 12, capped: false });
    expect(window.runs).toHaveLength(12);
    expect(asked).toEqual([
      {
        status: 'error',
        from: '2026-02-28T12:00:00.000Z',
        to: '2026-03-01T12:00:00.000Z',
        limit: windowPageSize,
        offset: 0,
      },
    ]);
  });

  it('pages through a window of more than one page with the same bounds', async () => {
    const { list, asked } = runsList(2500);
    const window = await readRunWindow(list, from, to);
    expect(window).toMatchObject({ total: 2500, capped: false });
    expect(new Set(window.runs.map((run) => run.id)).size).toBe(2500);
    expect(asked.map((query) => query.offset)).toEqual([0, 1000, 2000]);
    expect(new Set(asked.map((query) => `${String(query.from)} ${String(query.to)}`)).size).toBe(1);
  });

  it('stops at the cap and says the window was capped', async () => {
    const { list, asked } = runsList(runWindowCap + 2000);
    const window = await readRunWindow(list, from, to);
    expect(window).toMatchObject({ total: runWindowCap + 2000, capped: true });
    expect(window.runs).toHaveLength(runWindowCap);
    expect(asked).toHaveLength(runWindowCap / windowPageSize);
  });

  it('stops when aborted', async () => {
    const { list, asked } = runsList(2500);
    const controller = new AbortController();
    controller.abort();
    await expect(readRunWindow(list, from, to, {}, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(asked).toEqual([]);
  });
});

describe('reading every schedule', () => {
  it('follows next_cursor until the last page', async () => {
    const asked: Query[] = [];
    const list = async (query: Query): Promise<Page<Schedule>> => {
      asked.push(query);
      const names = query.cursor ? ['c'] : ['a', 'b'];
      const data = names.map(
        (name) => ({ id: name, name, enabled: true, schedule: { cron: '* * * * *', timezone: 'UTC' } }) as Schedule,
      );
      return { data, total: 3, limit: 2, offset: 0, next_cursor: query.cursor ? null : 'after-b' };
    };
    const all = await readAllByCursor(list, { enabled: true });
    expect(all.data.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(all.capped).toBe(false);
    expect(asked).toEqual([
      { enabled: true, cursor: undefined },
      { enabled: true, cursor: 'after-b' },
    ]);
  });
});
