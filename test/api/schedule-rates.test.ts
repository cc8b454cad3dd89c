import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Rates {
  window_ms: number;
  data: Array<{ schedule_id: string; total: number; by_status: Record<string, number>; success_rate: number | null }>;
}

// The rates of a list page's schedules in one request (the dashboard's Schedules page).
describe.each(databaseKinds)('GET /api/v1/schedule-rates (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let assistantId: string;
  const ids: Record<string, string> = {};

  const assistantOf = async (caller: Caller) => {
    const response = await h.call('POST', '/api/v1/assistants', {
      key: caller.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    return ((await response.json()) as { id: string }).id;
  };
  const schedule = async (caller: Caller, name: string, assistant = assistantId) => {
    const response = await h.call('POST', '/api/v1/schedules', {
      key: caller.key,
      body: { name, assistant_id: assistant, schedule: '0 9 * * *' },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  // Runs as the scheduler records them, through SQL: `age` before now.
  let occurrence = 0;
  const runs = async (scheduleId: string, owner: Caller, statuses: string[], age = '1 minute') => {
    // One occurrence each (a distinct scheduled_for: two inserts can share a millisecond's now()).
    for (const status of statuses)
      await h.db.query(
        `INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, scheduled_for, not_before, status, created_at)
         VALUES ($1, $2, $3, 'schedule', now() - make_interval(secs => $6), now(), $4, now() - $5::interval)`,
        [scheduleId, assistantId, owner.userId, status, age, ++occurrence],
      );
  };
  const rates = async (query: string, caller = alice) => {
    const response = await h.call('GET', `/api/v1/schedule-rates?${query}`, { key: caller.key });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Rates;
  };

  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    assistantId = await assistantOf(alice);
    ids.good = await schedule(alice, 'good');
    ids.mixed = await schedule(alice, 'mixed');
    ids.idle = await schedule(alice, 'idle');
    ids.bobs = await schedule(bob, 'bobs', await assistantOf(bob));
    await runs(ids.good, alice, ['success', 'success']);
    await runs(ids.mixed, alice, ['success', 'error', 'timeout', 'success', 'skipped']);
    await runs(ids.mixed, alice, ['error', 'error'], '3 days'); // outside a 24 h window
    await runs(ids.bobs, bob, ['success']);
  });
  afterAll(() => h.close());

  it('answers every listed schedule in one request, in the order asked, with counts over the window', async () => {
    const answer = await rates(`ids=${ids.mixed},${ids.good},${ids.idle}&window=24h`);
    expect(answer.window_ms).toBe(86_400_000);
    expect(answer.data).toEqual([
      {
        schedule_id: ids.mixed,
        total: 5,
        by_status: { success: 2, error: 1, timeout: 1, skipped: 1 },
        success_rate: 0.5,
      },
      { schedule_id: ids.good, total: 2, by_status: { success: 2 }, success_rate: 1 },
      { schedule_id: ids.idle, total: 0, by_status: {}, success_rate: null },
    ]);
    // The default window (7 days) holds the older failures too.
    const week = await rates(`ids=${ids.mixed}`);
    expect(week.data[0]).toMatchObject({ total: 7, success_rate: 2 / 6 });
  });

  it("leaves out schedules the caller cannot see; an admin sees everyone's", async () => {
    expect((await rates(`ids=${ids.good},${ids.bobs}`)).data.map((r) => r.schedule_id)).toEqual([ids.good]);
    expect((await rates(`ids=${ids.bobs}`, bob)).data).toEqual([
      { schedule_id: ids.bobs, total: 1, by_status: { success: 1 }, success_rate: 1 },
    ]);
    const admin = await h.caller('admin');
    expect((await rates(`ids=${ids.good},${ids.bobs}`, admin)).data.map((r) => r.schedule_id)).toEqual([
      ids.good,
      ids.bobs,
    ]);
  });

  it('refuses a malformed id list, a missing one and a bad window, naming the field', async () => {
    const badIds = await h.call('GET', '/api/v1/schedule-rates?ids=nope', { key: alice.key });
    expect(badIds.status).toBe(422);
    expect(await errorOf(badIds)).toMatchObject({ code: 'invalid_request', details: { field: 'ids.0' } });
    const missing = await h.call('GET', '/api/v1/schedule-rates', { key: alice.key });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await errorOf(missing))).toContain('ids');
    const badWindow = await h.call('GET', `/api/v1/schedule-rates?ids=${ids.good}&window=soon`, { key: alice.key });
    expect(badWindow.status).toBe(422);
    expect(await errorOf(badWindow)).toMatchObject({ details: { field: 'window' } });
  });
});
