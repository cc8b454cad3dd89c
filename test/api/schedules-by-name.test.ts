import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Ensured {
  result: string;
  changed: string[];
  schedule: {
    id: string;
    name: string;
    owner_id: string;
    source: string;
    next_run_at: string | null;
    schedule: Record<string, unknown>;
    version: number;
  };
}

describe.each(databaseKinds)('PUT /api/v1/schedules/by-name/{name} (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;
  let assistantId: string;
  const put = (caller: Caller, name: string, body: unknown, query = '') =>
    h.call('PUT', `/api/v1/schedules/by-name/${encodeURIComponent(name)}${query}`, { key: caller.key, body });
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    const response = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' }, graph_id: 'echo-graph' },
    });
    assistantId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => h?.close());

  it('creates (201), then answers unchanged (200) without touching the schedule, then updates what changed', async () => {
    const body = {
      assistant_id: 'echo-graph',
      schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
      input_template: 'Report for {{date}}',
    };
    const created = await put(alice, 'daily report', body);
    expect(created.status).toBe(201);
    const first = (await created.json()) as Ensured;
    expect(first).toMatchObject({
      result: 'created',
      changed: [],
      schedule: { name: 'daily report', owner_id: alice.userId, source: 'apply' },
    });
    expect(first.schedule.next_run_at).toMatch(/T1[34]:00:00\.000Z$/);

    const again = await put(alice, 'daily report', body);
    expect(again.status).toBe(200);
    const second = (await again.json()) as Ensured;
    expect(second).toMatchObject({ result: 'unchanged', changed: [] });
    expect(second.schedule).toEqual(first.schedule);

    const changed = await put(alice, 'daily report', { ...body, max_concurrent: 2, timeout: 60 });
    const third = (await changed.json()) as Ensured;
    expect(changed.status).toBe(200);
    expect(third).toMatchObject({
      result: 'updated',
      changed: ['max_concurrent', 'timeout'],
      schedule: { id: first.schedule.id, version: first.schedule.version + 1 },
    });
    expect(third.schedule.next_run_at).toBe(first.schedule.next_run_at);
  });

  it('raise (default) refuses a hand-made schedule of that name with 409 schedule_exists; skip and update', async () => {
    const made = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { name: 'by-hand', assistant_id: assistantId, schedule: '0 * * * *' },
    });
    expect(made.status).toBe(201);
    const hand = (await made.json()) as { id: string; version: number };
    const body = { assistant_id: assistantId, schedule: '30 * * * *' };
    const refused = await put(alice, 'by-hand', body);
    expect(refused.status).toBe(409);
    const error = await errorOf(refused);
    expect(error).toMatchObject({
      code: 'schedule_exists',
      details: { name: 'by-hand', id: hand.id, source: 'api', options: ['update', 'skip', 'raise'] },
    });
    expect(error.message).toMatch(/"update".*"skip".*"raise"/);

    const skipped = await put(alice, 'by-hand', body, '?if_exists=skip');
    expect(skipped.status).toBe(200);
    expect((await skipped.json()) as Ensured).toMatchObject({
      result: 'skipped',
      schedule: { id: hand.id, version: hand.version, schedule: { cron: '0 * * * *' } },
    });

    const updated = await put(alice, 'by-hand', body, '?if_exists=update');
    expect((await updated.json()) as Ensured).toMatchObject({
      result: 'updated',
      changed: ['schedule', 'source'],
      schedule: { id: hand.id, source: 'apply', schedule: { cron: '30 * * * *' } },
    });
  });

  it('keys names per owner: another member gets a schedule of their own; viewers cannot write', async () => {
    const own = await h.call('POST', '/api/v1/assistants', {
      key: bob.key,
      body: { name: 'Bob echo', kind: 'module', config: { module: 'echo' } },
    });
    const bobAssistant = ((await own.json()) as { id: string }).id;
    const response = await put(bob, 'daily report', { assistant_id: bobAssistant, schedule: '0 7 * * *' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Ensured).schedule.owner_id).toBe(bob.userId);
    // Bob cannot target Alice's assistant.
    expect((await put(bob, 'other', { assistant_id: assistantId, schedule: '0 7 * * *' })).status).toBe(404);
    const denied = await put(viewer, 'daily report', { assistant_id: assistantId, schedule: '0 7 * * *' });
    expect(denied.status).toBe(403);
  });

  it('refuses bad input with a named field and changes nothing', async () => {
    const before = await h.call('GET', '/api/v1/schedules?name=daily', { key: alice.key });
    const versions = ((await before.json()) as { data: Array<{ id: string; version: number }> }).data;
    const cases: Array<[string, unknown, string, string]> = [
      ['daily report', { assistant_id: assistantId, schedule: '0 25 * * *' }, '', 'hour'],
      ['daily report', { assistant_id: assistantId, schedule: '0 9 * * *', name: 'other' }, '', 'name'],
      ['daily report', { assistant_id: assistantId, schedule: '0 9 * * *' }, '?if_exists=replace', 'if_exists'],
      ['daily report', { assistant_id: assistantId, schedule: '0 9 * * *', colour: 'red' }, '', 'colour'],
    ];
    for (const [name, body, query, field] of cases) {
      const response = await put(alice, name, body, query);
      expect(response.status, field).toBe(422);
      expect(JSON.stringify(await errorOf(response)), field).toContain(field);
    }
    const after = await h.call('GET', '/api/v1/schedules?name=daily', { key: alice.key });
    expect(((await after.json()) as { data: Array<{ id: string; version: number }> }).data).toEqual(versions);
  });

  it('is in the OpenAPI document with its query and answers', async () => {
    const doc = (await (await h.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, unknown> }>
      >;
    };
    const operation = doc.paths['/api/v1/schedules/by-name/{name}']?.put;
    expect(operation?.parameters?.map((p) => p.name).sort()).toEqual(['if_exists', 'name']);
    expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(['200', '201', '409']));
  });
});
