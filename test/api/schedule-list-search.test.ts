import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Schedule {
  id: string;
  name: string;
  consecutive_failures: number;
}
interface Page {
  data: Schedule[];
  total: number;
}

// The schedule list's search, failing filter, id lookup and sort: what the dashboard pages with.
describe.each(databaseKinds)('schedule list: q, failing, ids, sort (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  const byName: Record<string, Schedule> = {};

  const list = async (query: string, caller = alice): Promise<Page> => {
    const response = await h.call('GET', `/api/v1/schedules?${query}`, { key: caller.key });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };
  const names = (page: Page) => page.data.map((s) => s.name);

  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    const assistantId = ((await assistant.json()) as { id: string }).id;
    for (const [name, cron] of [
      ['sched-1001', '0 9 * * *'],
      ['sched-1002', '30 18 * * 1-5'],
      ['Nightly_report', '0 3 * * *'],
      ['weekly', '0 9 * * 1'],
    ] as const) {
      const response = await h.call('POST', '/api/v1/schedules', {
        key: alice.key,
        body: { name, assistant_id: assistantId, schedule: cron },
      });
      expect(response.status).toBe(201);
      byName[name] = (await response.json()) as Schedule;
    }
    await h.db.query('UPDATE schedules SET consecutive_failures = 5, alert_after = 3 WHERE id = $1', [
      byName.weekly!.id,
    ]);
    await h.db.query('UPDATE schedules SET consecutive_failures = 2, alert_after = 3 WHERE id = $1', [
      byName['sched-1002']!.id,
    ]);
  });
  afterAll(() => h.close());

  it('searches the name or the cron, case-insensitive, with the total of the matches', async () => {
    expect(names(await list('q=SCHED-100&sort=name'))).toEqual(['sched-1001', 'sched-1002']);
    expect((await list('q=sched-1001')).total).toBe(1);
    expect(names(await list('q=1-5'))).toEqual(['sched-1002']);
    // `_` is a character, not a wildcard.
    expect(names(await list('q=y_r'))).toEqual(['Nightly_report']);
    expect((await list('q=sched', bob)).total).toBe(0);
  });

  it('lists the failing ones: consecutive failures at or past alert_after', async () => {
    const failing = await list('failing=true');
    expect(names(failing)).toEqual(['weekly']);
    expect(failing.total).toBe(1);
  });

  it('sorts the whole list, then pages it', async () => {
    expect(names(await list('sort=name'))).toEqual(['Nightly_report', 'sched-1001', 'sched-1002', 'weekly']);
    expect(names(await list('sort=-name&limit=2&offset=1'))).toEqual(['sched-1002', 'sched-1001']);
    expect(names(await list('sort=-consecutive_failures&limit=2'))).toEqual(['weekly', 'sched-1002']);
  });

  it('looks schedules up by id, only the caller’s', async () => {
    const ids = [byName['sched-1001']!.id, byName.weekly!.id].join(',');
    expect(names(await list(`ids=${ids}&sort=name`))).toEqual(['sched-1001', 'weekly']);
    expect((await list(`ids=${ids}`, bob)).total).toBe(0);
  });

  it('refuses a malformed id list, an unknown sort and a cursor with a sort, naming the field', async () => {
    const badIds = await h.call('GET', '/api/v1/schedules?ids=nope', { key: alice.key });
    expect(badIds.status).toBe(422);
    expect(await errorOf(badIds)).toMatchObject({ code: 'invalid_request', details: { field: 'ids.0' } });
    const badSort = await h.call('GET', '/api/v1/schedules?sort=owner_id', { key: alice.key });
    expect(badSort.status).toBe(422);
    expect(JSON.stringify(await errorOf(badSort))).toContain('sort');
    const first = (await (await h.call('GET', '/api/v1/schedules?limit=1', { key: alice.key })).json()) as {
      next_cursor: string;
    };
    const both = await h.call('GET', `/api/v1/schedules?sort=name&cursor=${first.next_cursor}`, { key: alice.key });
    expect(both.status).toBe(422);
    expect((await errorOf(both)).message).toBe(
      'cursor: a cursor follows the default order: page with offset when sorting',
    );
  });
});
