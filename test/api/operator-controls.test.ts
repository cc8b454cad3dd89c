import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Schedule {
  id: string;
  status: string;
  paused: { at: string; by: string | null; note: string | null } | null;
  pause_after_failures: number | null;
}

// The routes of backfill and pause with a note, in process: bodies, query, errors, access.
describe('backfill and pause routes', () => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;
  let scheduleId: string;
  const runCount = async () =>
    (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs WHERE schedule_id = $1', [scheduleId]))
      .rows[0]!.n;

  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    const assistantId = ((await assistant.json()) as { id: string }).id;
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: { cron: '0 * * * *' }, pause_after_failures: 4 },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as Schedule;
    expect(schedule).toMatchObject({ pause_after_failures: 4, paused: null });
    scheduleId = schedule.id;
  });
  afterAll(() => h.close());

  it('pauses without a body, with a note, and refuses a bad note (nothing changes)', async () => {
    const bare = await h.call('POST', `/api/v1/schedules/${scheduleId}/pause`, { key: alice.key });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as Schedule).paused).toMatchObject({ by: alice.userId, note: null });
    await h.call('POST', `/api/v1/schedules/${scheduleId}/resume`, { key: alice.key });

    for (const body of [{ note: 'x'.repeat(1001) }, { note: 3 }, { reason: 'typo' }]) {
      const refused = await h.call('POST', `/api/v1/schedules/${scheduleId}/pause`, { key: alice.key, body });
      expect(refused.status).toBe(422);
      expect((await errorOf(refused)).code).toBe('invalid_request');
    }
    expect(
      ((await (await h.call('GET', `/api/v1/schedules/${scheduleId}`, { key: alice.key })).json()) as Schedule).status,
    ).toBe('active');

    const noted = await h.call('POST', `/api/v1/schedules/${scheduleId}/pause`, {
      key: alice.key,
      body: { note: 'quota exhausted until Monday' },
    });
    const paused = (await noted.json()) as Schedule;
    expect(paused).toMatchObject({
      status: 'paused',
      paused: { by: alice.userId, note: 'quota exhausted until Monday' },
    });
    expect(Date.parse(paused.paused!.at)).toBeGreaterThan(Date.now() - 60_000);
    const listed = (await (await h.call('GET', '/api/v1/schedules?status=paused', { key: alice.key })).json()) as {
      data: Schedule[];
    };
    expect(listed.data.find((item) => item.id === scheduleId)?.paused?.note).toBe('quota exhausted until Monday');
    const resumed = (await (
      await h.call('POST', `/api/v1/schedules/${scheduleId}/resume`, { key: alice.key })
    ).json()) as Schedule;
    expect(resumed).toMatchObject({ status: 'active', paused: null });
    // Pausing through PATCH enabled:false records who and when too.
    const patched = (await (
      await h.call('PATCH', `/api/v1/schedules/${scheduleId}`, { key: alice.key, body: { enabled: false } })
    ).json()) as Schedule;
    expect(patched.paused).toMatchObject({ by: alice.userId, note: null });
    const reenabled = (await (
      await h.call('PATCH', `/api/v1/schedules/${scheduleId}`, { key: alice.key, body: { enabled: true } })
    ).json()) as Schedule;
    expect(reenabled.paused).toBeNull();
  });

  it('previews a backfill with ?dry_run=true or dry_run in the body, then creates it', async () => {
    const window = { from: '2026-01-01T00:00:00Z', to: '2026-01-01T03:00:00Z' };
    const byQuery = await h.call('POST', `/api/v1/schedules/${scheduleId}/backfill?dry_run=true`, {
      key: alice.key,
      body: window,
    });
    expect(byQuery.status).toBe(200);
    expect(await byQuery.json()).toMatchObject({ dry_run: true, occurrences: 3, runs: 3, existing: 0 });
    const byBody = await h.call('POST', `/api/v1/schedules/${scheduleId}/backfill`, {
      key: alice.key,
      body: { ...window, dry_run: true },
    });
    expect(await byBody.json()).toMatchObject({ dry_run: true, runs: 3 });
    expect(await runCount()).toBe(0);
    const real = await h.call('POST', `/api/v1/schedules/${scheduleId}/backfill`, {
      key: alice.key,
      body: { ...window, overlap: 'obey' },
    });
    expect(await real.json()).toMatchObject({ dry_run: false, runs: 3, overlap: 'obey' });
    const runs = (await (
      await h.call('GET', `/api/v1/schedules/${scheduleId}/runs?trigger=backfill`, { key: alice.key })
    ).json()) as {
      data: Array<{ trigger: string; scheduled_for: string; metadata: Record<string, unknown> }>;
    };
    expect(runs.data.map((run) => run.scheduled_for).sort()).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
    expect(runs.data[0]!.metadata).toMatchObject({ backfill: { by: alice.userId, overlap: 'obey' } });
    const again = await h.call('POST', `/api/v1/schedules/${scheduleId}/backfill?dry_run=true`, {
      key: alice.key,
      body: window,
    });
    expect(await again.json()).toMatchObject({ occurrences: 3, existing: 3, runs: 0 });
  });

  it('refuses bad windows, strangers and viewers with a clear error; nothing is created', async () => {
    const before = await runCount();
    const cases: Array<[Caller, unknown, number, string, string?]> = [
      [alice, { from: 'yesterday', to: '2026-01-02T00:00:00Z' }, 422, 'invalid_request', 'from'],
      [alice, { from: '2026-01-02T00:00:00Z' }, 422, 'invalid_request', 'to'],
      [alice, { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 422, 'invalid_request', 'to'],
      [alice, { from: '2026-01-02T00:00:00Z', to: '2099-01-01T00:00:00Z' }, 422, 'invalid_request', 'to'],
      [alice, { from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 422, 'backfill_too_large', 'to'],
      [
        alice,
        { from: '2026-01-02T00:00:00Z', to: '2026-01-02T01:00:00Z', overlap: 'override' },
        422,
        'invalid_request',
        'overlap',
      ],
      [
        alice,
        { from: '2026-01-02T00:00:00Z', to: '2026-01-02T01:00:00Z', colour: 'red' },
        422,
        'invalid_request',
        'colour',
      ],
      [bob, { from: '2026-01-02T00:00:00Z', to: '2026-01-02T01:00:00Z' }, 404, 'not_found'],
      [viewer, { from: '2026-01-02T00:00:00Z', to: '2026-01-02T01:00:00Z' }, 403, 'forbidden'],
    ];
    for (const [caller, body, status, code, field] of cases) {
      const response = await h.call('POST', `/api/v1/schedules/${scheduleId}/backfill`, { key: caller.key, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      const error = await errorOf(response);
      expect(error.code).toBe(code);
      if (field) expect((error.details as { field?: string }).field).toBe(field);
    }
    expect(await runCount()).toBe(before);
  });
});
