import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Schedule {
  id: string;
  name: string;
  owner_id: string;
  next_run_at: string | null;
  status: string;
  enabled: boolean;
  schedule: Record<string, unknown>;
}

async function echoAssistant(h: ApiHarness, caller: Caller): Promise<string> {
  const response = await h.call('POST', '/api/v1/assistants', {
    key: caller.key,
    body: { name: `Echo-${caller.userId.slice(0, 6)}`, kind: 'module', config: { module: 'echo' } },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

describe('schedule routes', () => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness('pglite', { KAIROS_MAX_SCHEDULES_PER_USER: '3' }, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    assistantId = await echoAssistant(h, alice);
  });
  afterAll(() => h.close());

  it('creates (201, next_run_at in UTC), gets, lists, patches, pauses, resumes, triggers and deletes', async () => {
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: {
        assistant_id: assistantId,
        schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
        input_template: 'Summary for {{date}}',
        name: 'weekday',
      },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as Schedule;
    expect(schedule).toMatchObject({ name: 'weekday', owner_id: alice.userId, status: 'active' });
    expect(schedule.next_run_at).toMatch(/^\d{4}-\d\d-\d\dT(13|14):00:00\.000Z$/);

    expect(
      ((await (await h.call('GET', `/api/v1/schedules/${schedule.id}`, { key: alice.key })).json()) as Schedule).id,
    ).toBe(schedule.id);
    const listed = (await (
      await h.call('GET', `/api/v1/schedules?assistant_id=${assistantId}`, { key: alice.key })
    ).json()) as {
      data: Schedule[];
      total: number;
    };
    expect(listed.data.map((item) => item.id)).toEqual([schedule.id]);

    const patched = await h.call('PATCH', `/api/v1/schedules/${schedule.id}`, {
      key: alice.key,
      body: { schedule: { cron: '30 8 * * *', timezone: 'UTC' } },
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as Schedule).next_run_at).toMatch(/T08:30:00\.000Z$/);

    const paused = (await (
      await h.call('POST', `/api/v1/schedules/${schedule.id}/pause`, { key: alice.key })
    ).json()) as Schedule;
    expect(paused).toMatchObject({ status: 'paused', enabled: false, next_run_at: null });
    const resumed = (await (
      await h.call('POST', `/api/v1/schedules/${schedule.id}/resume`, { key: alice.key })
    ).json()) as Schedule;
    expect(resumed.status).toBe('active');

    const triggered = await h.call('POST', `/api/v1/schedules/${schedule.id}/trigger`, { key: alice.key });
    expect(triggered.status).toBe(201);
    const run = (await triggered.json()) as { id: string; trigger: string; schedule_id: string };
    expect(run).toMatchObject({ trigger: 'manual', schedule_id: schedule.id });
    const runs = (await (await h.call('GET', `/api/v1/schedules/${schedule.id}/runs`, { key: alice.key })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(runs.data.map((item) => item.id)).toEqual([run.id]);

    const stats = await h.call('GET', `/api/v1/schedules/${schedule.id}/stats?window=24h`, { key: alice.key });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ schedule_id: schedule.id, window_ms: 86_400_000, total: 1 });
    const badWindow = await h.call('GET', `/api/v1/schedules/${schedule.id}/stats?window=soon`, { key: alice.key });
    expect(badWindow.status).toBe(422);
    expect((await errorOf(badWindow)).message).toMatch(/^window: /);
    expect((await h.call('GET', `/api/v1/schedules/${schedule.id}/events`, { key: alice.key })).status).toBe(200);

    expect((await h.call('DELETE', `/api/v1/schedules/${schedule.id}`, { key: alice.key })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/schedules/${schedule.id}`, { key: alice.key })).status).toBe(404);
  });

  it('previews fire times in the flat and the nested form without saving', async () => {
    const flat = await h.call('POST', '/api/v1/schedules/preview', {
      key: viewer.key,
      body: { cron: '0 9 * * *', timezone: 'Europe/Paris', count: 3 },
    });
    expect(flat.status).toBe(200);
    const preview = (await flat.json()) as { times: string[]; description: string | null };
    expect(preview.times).toHaveLength(3);
    expect(preview.times.every((time) => /T0[78]:00:00\.000Z$/.test(time))).toBe(true);
    expect(preview.description).toBeTruthy();
    const nested = (await (
      await h.call('POST', '/api/v1/schedules/preview', {
        key: alice.key,
        body: { schedule: { every: '15m' }, count: 2 },
      })
    ).json()) as { times: string[] };
    expect(nested.times).toHaveLength(2);
    expect(Date.parse(nested.times[1]!) - Date.parse(nested.times[0]!)).toBe(15 * 60_000);
    const bad = await h.call('POST', '/api/v1/schedules/preview', { key: alice.key, body: { cron: '0 25 * * *' } });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/hour/);
    const count = await h.call('POST', '/api/v1/schedules/preview', {
      key: alice.key,
      body: { cron: '* * * * *', count: 1000 },
    });
    expect(count.status).toBe(422);
    expect((await errorOf(count)).message).toMatch(/^count: /);
    const schedules = (await (await h.call('GET', '/api/v1/schedules', { key: alice.key })).json()) as {
      total: number;
    };
    expect(schedules.total).toBe(0);
  });

  it('refuses bad schedules with 422 naming the field, and unknown fields', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ assistant_id: assistantId, schedule: { cron: '61 * * * *' } }, /^schedule(\.cron)?: .*minute/],
      [{ assistant_id: assistantId, schedule: { cron: '0 9 * * *', timezone: 'Mars/Olympus' } }, /timezone/],
      [{ assistant_id: assistantId, schedule: '0 9 * * *', colour: 'red' }, /^colour: /],
      [{ schedule: '0 9 * * *' }, /^assistant_id: /],
    ];
    for (const [body, message] of cases) {
      const response = await h.call('POST', '/api/v1/schedules', { key: alice.key, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toMatch(/^invalid_/); // invalid_request, or the engine's invalid_cron
      expect(error.message).toMatch(message);
    }
    const notObject = await h.call('POST', '/api/v1/schedules', { key: alice.key, body: [1, 2] });
    expect(notObject.status).toBe(422);
  });

  it("hides another user's schedule (404), keeps viewers out (403) and enforces the cap (429)", async () => {
    const mine = (await (
      await h.call('POST', '/api/v1/schedules', {
        key: alice.key,
        body: { assistant_id: assistantId, schedule: '0 * * * *', name: 'hourly' },
      })
    ).json()) as Schedule;
    for (const [method, path] of [
      ['GET', `/api/v1/schedules/${mine.id}`],
      ['PATCH', `/api/v1/schedules/${mine.id}`],
      ['DELETE', `/api/v1/schedules/${mine.id}`],
      ['POST', `/api/v1/schedules/${mine.id}/pause`],
      ['POST', `/api/v1/schedules/${mine.id}/trigger`],
      ['GET', `/api/v1/schedules/${mine.id}/runs`],
      ['GET', `/api/v1/schedules/${mine.id}/stats`],
    ] as const) {
      const response = await h.call(method, path, { key: bob.key, ...(method === 'PATCH' && { body: { name: 'x' } }) });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const byViewer = await h.call('POST', '/api/v1/schedules', {
      key: viewer.key,
      body: { assistant_id: assistantId, schedule: '0 * * * *' },
    });
    expect(byViewer.status).toBe(403);
    const taken = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 * * * *', name: 'hourly' },
    });
    expect(taken.status).toBe(409);

    for (const name of ['two', 'three']) {
      expect(
        (
          await h.call('POST', '/api/v1/schedules', {
            key: alice.key,
            body: { assistant_id: assistantId, schedule: '0 * * * *', name },
          })
        ).status,
      ).toBe(201);
    }
    const capped = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 * * * *', name: 'four' },
    });
    expect(capped.status).toBe(429);
    expect((await errorOf(capped)).message).toContain('3');
  });

  it('reserves schedule changes to admins with KAIROS_SCHEDULES_REQUIRE_ADMIN=true', async () => {
    const strict = await createApiHarness('pglite', { KAIROS_SCHEDULES_REQUIRE_ADMIN: 'true' }, { services: true });
    try {
      const member = await strict.caller('member');
      const admin = await strict.caller('admin');
      const assistant = await echoAssistant(strict, member);
      const refused = await strict.call('POST', '/api/v1/schedules', {
        key: member.key,
        body: { assistant_id: assistant, schedule: '0 * * * *' },
      });
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).code).toBe('forbidden');
      const allowed = await strict.call('POST', '/api/v1/schedules', {
        key: admin.key,
        body: { assistant_id: assistant, schedule: '0 * * * *' },
      });
      expect(allowed.status).toBe(201);
    } finally {
      await strict.close();
    }
  });
});
