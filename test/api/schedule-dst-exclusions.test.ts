import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// dst and exclude_dates over HTTP: stored and shown, validated with a 422 naming the entry, and
// previewed (unsaved and saved).
describe('schedule routes: dst and exclude_dates', () => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    const response = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  it('creates with both, shows them, patches them and previews the saved schedule', async () => {
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: {
        assistant_id: assistantId,
        schedule: { cron: '30 1 * * *', timezone: 'America/New_York' },
        dst: { repeated: 'last' },
        exclude_dates: ['2099-12-25'],
      },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as {
      id: string;
      dst: unknown;
      exclude_dates: string[];
      excluded_count: number;
    };
    expect(schedule).toMatchObject({ dst: { repeated: 'last' }, exclude_dates: ['2099-12-25'], excluded_count: 0 });

    const patched = await h.call('PATCH', `/api/v1/schedules/${schedule.id}`, {
      key: alice.key,
      body: { dst: { skipped: 'skip' }, exclude_dates: [] },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ dst: { skipped: 'skip' }, exclude_dates: [] });

    const preview = await h.call('GET', `/api/v1/schedules/${schedule.id}/preview?count=3`, { key: alice.key });
    expect(preview.status).toBe(200);
    const body = (await preview.json()) as {
      times: string[];
      excluded: string[];
      dst: { policy: unknown; effect: string } | null;
    };
    expect(body.times).toHaveLength(3);
    expect(body.excluded).toEqual([]);
    expect(body.dst?.policy).toEqual({ repeated: 'first', skipped: 'skip' });
    expect(body.dst?.effect).toMatch(/^Clocks go (forward|back) 1 h at /);
    // Another user's schedule is not found, as for every schedule route.
    expect((await h.call('GET', `/api/v1/schedules/${schedule.id}/preview`, { key: bob.key })).status).toBe(404);
  });

  it('refuses a bad date or policy with a 422 naming it, and creates nothing', async () => {
    const before = ((await (await h.call('GET', '/api/v1/schedules', { key: alice.key })).json()) as { total: number })
      .total;
    const bad = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', exclude_dates: ['2026-12-25', '2026-13-01'] },
    });
    expect(bad.status).toBe(422);
    const error = await errorOf(bad);
    expect(error.details).toMatchObject({ field: 'exclude_dates.1' });
    expect(error.message).toContain('"2026-13-01" is not a date');
    const policy = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', dst: { repeated: 'middle' } },
    });
    expect(policy.status).toBe(422);
    expect((await errorOf(policy)).details).toMatchObject({ field: 'dst.repeated' });
    const after = ((await (await h.call('GET', '/api/v1/schedules', { key: alice.key })).json()) as { total: number })
      .total;
    expect(after).toBe(before);
  });

  it('previews excluded occurrences in the flat and the service form', async () => {
    const flat = await h.call('POST', '/api/v1/schedules/preview', {
      key: alice.key,
      body: {
        cron: '0 9 * * *',
        timezone: 'UTC',
        exclude_dates: ['2099-01-02'],
        start_at: '2099-01-01T00:00:00Z',
        count: 2,
      },
    });
    expect(flat.status).toBe(200);
    expect(await flat.json()).toMatchObject({
      times: ['2099-01-01T09:00:00.000Z', '2099-01-03T09:00:00.000Z'],
      excluded: ['2099-01-02T09:00:00.000Z'],
      dst: null,
    });
    const nested = await h.call('POST', '/api/v1/schedules/preview', {
      key: alice.key,
      body: {
        schedule: { cron: '0 9 * * *' },
        exclude_dates: ['2099-01-01'],
        start_at: '2099-01-01T00:00:00Z',
        count: 1,
      },
    });
    expect(await nested.json()).toMatchObject({
      times: ['2099-01-02T09:00:00.000Z'],
      excluded: ['2099-01-01T09:00:00.000Z'],
    });
    const bad = await h.call('POST', '/api/v1/schedules/preview', {
      key: alice.key,
      body: { cron: '0 9 * * *', exclude_dates: ['tomorrow'] },
    });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).details).toMatchObject({ field: 'exclude_dates.0' });
  });
});
