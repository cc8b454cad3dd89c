import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

interface Schedule {
  id: string;
  name: string;
  assistant_id: string;
  description: string | null;
  enabled: boolean;
  metadata: Record<string, unknown>;
}

interface Page<T> {
  data: T[];
  total: number;
  next_cursor?: string | null;
}

describe.each(databaseKinds)('schedule and run lists (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  const created: Schedule[] = [];

  const create = async (body: Record<string, unknown>): Promise<Schedule> => {
    const response = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', ...body },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Schedule;
  };
  const list = async (query: string): Promise<Page<Schedule>> => {
    const response = await h.call('GET', `/api/v1/schedules?${query}`, { key: alice.key });
    expect(response.status).toBe(200);
    return (await response.json()) as Page<Schedule>;
  };

  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo graph', kind: 'module', config: { module: 'echo' }, graph_id: `echo-graph-${kind}` },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    created.push(await create({ name: 'Morning Report', metadata: { team: 'ops', tier: 1 } }));
    created.push(
      await create({
        name: 'evening report',
        schedule: { cron: '30 18 * * 1-5', timezone: 'Europe/Paris' },
        metadata: { team: 'ops', tier: 2 },
      }),
    );
    created.push(
      await create({ name: 'paused one', enabled: false, schedule: { every: '15m' }, metadata: { team: 'dev' } }),
    );
    created.push(await create({ name: 'nightly 100%_done', metadata: { team: 'dev', nested: { a: [1, 2] } } }));
  });
  afterAll(() => h.close());

  it('describes every schedule in words (create, get, list, update)', async () => {
    expect(created[0]!.description).toBe('At 09:00');
    expect(created[1]!.description).toMatch(/^At 18:30, Monday through Friday$/);
    expect(created[2]!.description).toBe('Every 15 minutes');
    const got = (await (
      await h.call('GET', `/api/v1/schedules/${created[0]!.id}`, { key: alice.key })
    ).json()) as Schedule;
    expect(got.description).toBe('At 09:00');
    const patched = await h.call('PATCH', `/api/v1/schedules/${created[0]!.id}`, {
      key: alice.key,
      body: { schedule: '*/5 * * * *' },
    });
    expect(((await patched.json()) as Schedule).description).toBe('Every 5 minutes');
    await h.call('PATCH', `/api/v1/schedules/${created[0]!.id}`, { key: alice.key, body: { schedule: '0 9 * * *' } });
    expect((await list('limit=10')).data.every((item) => typeof item.description === 'string')).toBe(true);
  });

  it('filters by enabled, name (contains, case-insensitive, literal % and _) and metadata (exact per key)', async () => {
    const names = (page: Page<Schedule>) => page.data.map((item) => item.name).sort();
    expect(names(await list('enabled=false'))).toEqual(['paused one']);
    expect((await list('enabled=true')).total).toBe(3);
    expect(names(await list('name=REPORT'))).toEqual(['Morning Report', 'evening report']);
    expect(names(await list(`name=${encodeURIComponent('100%_')}`))).toEqual(['nightly 100%_done']);
    expect((await list(`name=${encodeURIComponent('0%x')}`)).total).toBe(0);
    expect(names(await list(`metadata=${encodeURIComponent('{"team":"ops"}')}`))).toEqual([
      'Morning Report',
      'evening report',
    ]);
    expect(names(await list(`metadata=${encodeURIComponent('{"team":"ops","tier":2}')}`))).toEqual(['evening report']);
    expect(names(await list(`metadata=${encodeURIComponent('{"nested":{"a":[1,2]}}')}`))).toEqual([
      'nightly 100%_done',
    ]);
    expect((await list(`metadata=${encodeURIComponent('{"nested":{"a":[1]}}')}`)).total).toBe(0);
    const bad = await h.call('GET', '/api/v1/schedules?metadata=[1]', { key: alice.key });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/^metadata: /);
  });

  it('pages with an opaque cursor (keyset on created_at, id) that visits each schedule once', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await list(`limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.total).toBe(4);
      seen.push(...page.data.map((item) => item.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...created].reverse().map((item) => item.id));
    const filtered = await list('limit=1&enabled=true');
    const next = await list(`limit=5&enabled=true&cursor=${encodeURIComponent(filtered.next_cursor!)}`);
    expect(next.data.map((item) => item.id)).toEqual([created[1]!.id, created[0]!.id]);
    expect(next.next_cursor).toBeNull();
    const bad = await h.call('GET', '/api/v1/schedules?cursor=nonsense', { key: alice.key });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toMatch(/^cursor: /);
  });

  it('resolves a graph id to its default assistant when creating a schedule', async () => {
    const byGraph = await create({ assistant_id: `echo-graph-${kind}`, name: 'by graph' });
    expect(byGraph.assistant_id).toBe(assistantId);
    const missing = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: 'no-such-graph', schedule: '0 9 * * *' },
    });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: 'not_found', details: { field: 'assistant_id' } });
    await h.call('DELETE', `/api/v1/schedules/${byGraph.id}`, { key: alice.key });
  });

  it('bounds run lists by created_at with from (inclusive) and to (exclusive)', async () => {
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await h.call('POST', `/api/v1/schedules/${created[1]!.id}/trigger`, {
        key: alice.key,
        body: { overlap: 'override' },
      });
      expect(response.status).toBe(201);
      runIds.push(((await response.json()) as { id: string }).id);
    }
    const { rows } = await h.db.query<{ id: string; created_at: Date }>(
      'SELECT id, created_at FROM runs WHERE id = ANY($1::uuid[]) ORDER BY created_at',
      [runIds],
    );
    // Spread the runs one hour apart, so the bounds are unambiguous.
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (const [i, row] of rows.entries())
      await h.db.query('UPDATE runs SET created_at = $2 WHERE id = $1', [row.id, new Date(base + i * 3_600_000)]);
    const ids = async (path: string) =>
      ((await (await h.call('GET', path, { key: alice.key })).json()) as Page<{ id: string }>).data.map(
        (run) => run.id,
      );
    const from = new Date(base + 3_600_000).toISOString();
    const to = new Date(base + 2 * 3_600_000).toISOString();
    expect(await ids(`/api/v1/runs?from=${from}`)).toEqual([rows[2]!.id, rows[1]!.id]);
    expect(await ids(`/api/v1/runs?to=${to}`)).toEqual([rows[1]!.id, rows[0]!.id]);
    expect(await ids(`/api/v1/schedules/${created[1]!.id}/runs?from=${from}&to=${to}`)).toEqual([rows[1]!.id]);
    const bad = await h.call('GET', '/api/v1/runs?from=yesterday', { key: alice.key });
    expect(bad.status).toBe(422);
  });
});
