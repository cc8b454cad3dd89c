import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// Every filter that a list or search route accepts narrows its result (a filter that is accepted
// and ignored is the worst kind of bug). Each case names data the filter must leave out, with
// another user's resources present, so that each assertion fails if its filter is dropped.
describe.each(databaseKinds)('every list filter narrows (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let admin: Caller;
  const id: Record<string, string> = {};

  const json = async <T>(response: Response | Promise<Response>): Promise<T> => {
    const answer = await response;
    if (answer.status >= 300) throw new Error(`${answer.status}: ${await answer.text()}`);
    return (await answer.json()) as T;
  };
  const post = <T>(caller: Caller, path: string, body: unknown) =>
    json<T>(h.call('POST', path, { key: caller.key, body }));
  const ids = async (caller: Caller, path: string): Promise<string[]> => {
    const page = await json<{ data: Array<{ id: string }>; total: number }>(h.call('GET', path, { key: caller.key }));
    expect(page.total).toBe(page.data.length); // every page here is complete: total counts the same filters
    return page.data.map((item) => item.id).sort();
  };
  const sorted = (...names: string[]) => names.map((name) => id[name]!).sort();
  const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    alice = await h.caller('member', 'alice');
    bob = await h.caller('member', 'bob');
    admin = await h.caller('admin', 'root');
    const assistant = (caller: Caller, body: Record<string, unknown>) =>
      post<{ id: string }>(caller, '/api/v1/assistants', body).then((a) => a.id);
    id.echo = await assistant(alice, {
      name: 'Alpha report',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'g-one',
      metadata: { team: 'a' },
    });
    id.http = await assistant(alice, {
      name: 'Beta',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/agent' },
      graph_id: 'g-two',
      metadata: { team: 'b' },
    });
    id.echo2 = await assistant(alice, {
      name: 'Gamma',
      kind: 'module',
      config: { module: 'echo' },
      metadata: { team: 'c' },
    });
    id.bobEcho = await assistant(bob, {
      name: 'Alpha bob',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'g-one',
      metadata: { team: 'a' },
    });

    id.t1 = (
      await post<{ id: string }>(alice, '/api/v1/threads', { assistant_id: id.echo, metadata: { topic: 'x' } })
    ).id;
    id.t2 = (
      await post<{ id: string }>(alice, '/api/v1/threads', { assistant_id: id.echo2, metadata: { topic: 'y' } })
    ).id;
    id.bobThread = (
      await post<{ id: string }>(bob, '/api/v1/threads', { assistant_id: id.bobEcho, metadata: { topic: 'x' } })
    ).id;
    await h.db.query("UPDATE threads SET status = 'busy' WHERE id = $1", [id.t2]);

    const schedule = (caller: Caller, body: Record<string, unknown>) =>
      post<{ id: string }>(caller, '/api/v1/schedules', { schedule: { cron: '0 9 1 1 *' }, ...body }).then((s) => s.id);
    id.nightly = await schedule(alice, { assistant_id: id.echo, name: 'nightly-alpha', metadata: { team: 'a' } });
    id.weekly = await schedule(alice, {
      assistant_id: id.echo,
      name: 'weekly',
      metadata: { team: 'b' },
      enabled: false,
    });
    id.threaded = await schedule(alice, {
      assistant_id: id.echo2,
      name: 'thread-job',
      thread_id: id.t2,
      metadata: { team: 'a' },
    });
    id.done = await schedule(alice, { assistant_id: id.echo2, name: 'done-job' });
    await h.db.query('UPDATE schedules SET completed_at = now(), next_run_at = NULL WHERE id = $1', [id.done]);
    id.bobSchedule = await schedule(bob, { assistant_id: id.bobEcho, name: 'nightly-alpha', metadata: { team: 'a' } });

    // Runs (no worker: they stay pending unless cancelled): manual ones of schedules, api ones.
    const trigger = (caller: Caller, scheduleId: string) =>
      post<{ id: string }>(caller, `/api/v1/schedules/${scheduleId}/trigger`, {}).then((r) => r.id);
    id.rNightly = await trigger(alice, id.nightly);
    id.rThreaded = await trigger(alice, id.threaded);
    id.rApi = (await post<{ id: string }>(alice, '/api/v1/runs', { assistant_id: id.echo2, thread_id: id.t1 })).id;
    id.rBob = await trigger(bob, id.bobSchedule);
    await json(h.call('POST', `/api/v1/runs/${id.rNightly}/cancel`, { key: alice.key }));
    await h.db.query("UPDATE runs SET created_at = '2026-01-01T00:00:00Z' WHERE id = $1", [id.rThreaded]);
  });
  afterAll(() => h?.close());

  it('assistants: kind, status, graph_id, name, metadata, built_in, alone and combined', async () => {
    await json(h.call('PATCH', `/api/v1/assistants/${id.http}`, { key: alice.key, body: { status: 'inactive' } }));
    const mine = (list: string[]) => list.filter((item) => [id.echo, id.http, id.echo2, id.bobEcho].includes(item));
    expect(mine(await ids(alice, '/api/v1/assistants'))).toEqual(sorted('echo', 'http', 'echo2'));
    expect(mine(await ids(alice, '/api/v1/assistants?kind=http'))).toEqual(sorted('http'));
    expect(mine(await ids(alice, '/api/v1/assistants?kind=module'))).toEqual(sorted('echo', 'echo2'));
    expect(mine(await ids(alice, '/api/v1/assistants?status=inactive'))).toEqual(sorted('http'));
    expect(mine(await ids(alice, '/api/v1/assistants?graph_id=g-one'))).toEqual(sorted('echo'));
    expect(mine(await ids(alice, '/api/v1/assistants?name=ALPHA'))).toEqual(sorted('echo'));
    expect(mine(await ids(alice, `/api/v1/assistants?metadata=${q({ team: 'c' })}`))).toEqual(sorted('echo2'));
    expect(mine(await ids(alice, '/api/v1/assistants?built_in=false'))).toEqual(sorted('echo', 'http', 'echo2'));
    const builtIns = await json<{ data: Array<{ id: string; built_in: boolean }> }>(
      h.call('GET', '/api/v1/assistants?built_in=true', { key: alice.key }),
    );
    expect(builtIns.data.every((assistant) => assistant.built_in)).toBe(true);
    expect(mine(await ids(alice, '/api/v1/assistants?kind=module&metadata=' + q({ team: 'a' })))).toEqual(
      sorted('echo'),
    );
    expect(mine(await ids(alice, '/api/v1/assistants?kind=http&status=active'))).toEqual([]);
    expect(mine(await ids(admin, '/api/v1/assistants?graph_id=g-one'))).toEqual(sorted('echo', 'bobEcho'));
  });

  it('schedules: assistant_id, thread_id, status, enabled, name, metadata, owner_id, alone and combined', async () => {
    expect(await ids(alice, '/api/v1/schedules')).toEqual(sorted('nightly', 'weekly', 'threaded', 'done'));
    expect(await ids(alice, `/api/v1/schedules?assistant_id=${id.echo}`)).toEqual(sorted('nightly', 'weekly'));
    expect(await ids(alice, `/api/v1/schedules?thread_id=${id.t2}`)).toEqual(sorted('threaded'));
    expect(await ids(alice, '/api/v1/schedules?status=active')).toEqual(sorted('nightly', 'threaded'));
    expect(await ids(alice, '/api/v1/schedules?status=paused')).toEqual(sorted('weekly'));
    expect(await ids(alice, '/api/v1/schedules?status=completed')).toEqual(sorted('done'));
    expect(await ids(alice, '/api/v1/schedules?enabled=false')).toEqual(sorted('weekly'));
    expect(await ids(alice, '/api/v1/schedules?name=ALPHA')).toEqual(sorted('nightly'));
    expect(await ids(alice, `/api/v1/schedules?metadata=${q({ team: 'a' })}`)).toEqual(sorted('nightly', 'threaded'));
    expect(await ids(alice, `/api/v1/schedules?assistant_id=${id.echo}&enabled=true`)).toEqual(sorted('nightly'));
    expect(await ids(alice, `/api/v1/schedules?status=paused&metadata=${q({ team: 'a' })}`)).toEqual([]);
    expect(await ids(admin, `/api/v1/schedules?owner_id=${bob.userId}`)).toEqual(sorted('bobSchedule'));
    expect(await ids(admin, `/api/v1/schedules?name=alpha`)).toEqual(sorted('nightly', 'bobSchedule'));
    const page = await json<{ data: unknown[]; total: number }>(
      h.call('GET', '/api/v1/schedules?limit=1', { key: alice.key }),
    );
    expect(page).toMatchObject({ total: 4 });
    expect(page.data).toHaveLength(1);
    // A member naming another owner is refused, not silently shown their own schedules.
    const other = await h.call('GET', `/api/v1/schedules?owner_id=${bob.userId}`, { key: alice.key });
    expect(other.status).toBe(403);
    expect((await errorOf(other)).code).toBe('forbidden');
    expect(await ids(alice, `/api/v1/schedules?owner_id=${alice.userId}`)).toEqual(
      sorted('nightly', 'weekly', 'threaded', 'done'),
    );
  });

  it('runs: schedule_id, assistant_id, thread_id, status, trigger, owner_id, from, to, alone and combined', async () => {
    expect(await ids(alice, '/api/v1/runs')).toEqual(sorted('rNightly', 'rThreaded', 'rApi'));
    expect(await ids(alice, `/api/v1/runs?schedule_id=${id.nightly}`)).toEqual(sorted('rNightly'));
    expect(await ids(alice, `/api/v1/runs?assistant_id=${id.echo2}`)).toEqual(sorted('rThreaded', 'rApi'));
    expect(await ids(alice, `/api/v1/runs?thread_id=${id.t1}`)).toEqual(sorted('rApi'));
    expect(await ids(alice, '/api/v1/runs?status=cancelled')).toEqual(sorted('rNightly'));
    expect(await ids(alice, '/api/v1/runs?trigger=api')).toEqual(sorted('rApi'));
    expect(await ids(alice, '/api/v1/runs?trigger=manual&status=pending')).toEqual(sorted('rThreaded'));
    expect(await ids(alice, '/api/v1/runs?to=2026-06-01T00:00:00Z')).toEqual(sorted('rThreaded'));
    expect(await ids(alice, '/api/v1/runs?from=2026-06-01T00:00:00Z')).toEqual(sorted('rNightly', 'rApi'));
    expect(await ids(alice, `/api/v1/runs?assistant_id=${id.echo2}&from=2026-06-01T00:00:00Z`)).toEqual(sorted('rApi'));
    expect(await ids(admin, `/api/v1/runs?owner_id=${bob.userId}`)).toEqual(sorted('rBob'));
    expect((await h.call('GET', `/api/v1/runs?owner_id=${bob.userId}`, { key: alice.key })).status).toBe(403);
  });

  it("a schedule's runs: status, trigger, from, to", async () => {
    const extra = (await post<{ id: string }>(alice, `/api/v1/schedules/${id.nightly}/trigger`, {})).id;
    const path = `/api/v1/schedules/${id.nightly}/runs`;
    expect(await ids(alice, path)).toEqual([id.rNightly, extra].sort());
    expect(await ids(alice, `${path}?status=pending`)).toEqual([extra]);
    expect(await ids(alice, `${path}?trigger=schedule`)).toEqual([]);
    expect(await ids(alice, `${path}?trigger=manual&status=cancelled`)).toEqual([id.rNightly]);
    await h.db.query("UPDATE runs SET created_at = '2026-02-01T00:00:00Z' WHERE id = $1", [extra]);
    expect(await ids(alice, `${path}?to=2026-03-01T00:00:00Z`)).toEqual([extra]);
    expect(await ids(alice, `${path}?from=2026-03-01T00:00:00Z`)).toEqual([id.rNightly]);
    await json(h.call('POST', `/api/v1/runs/${extra}/cancel`, { key: alice.key }));
  });

  it('threads: assistant_id (id or graph id), status, metadata, alone and combined', async () => {
    expect(await ids(alice, '/api/v1/threads')).toEqual(sorted('t1', 't2'));
    expect(await ids(alice, `/api/v1/threads?assistant_id=${id.echo}`)).toEqual(sorted('t1'));
    expect(await ids(alice, '/api/v1/threads?assistant_id=g-one')).toEqual(sorted('t1'));
    expect(await ids(alice, '/api/v1/threads?status=busy')).toEqual(sorted('t2'));
    expect(await ids(alice, `/api/v1/threads?metadata=${q({ topic: 'x' })}`)).toEqual(sorted('t1'));
    expect(await ids(alice, `/api/v1/threads?status=busy&metadata=${q({ topic: 'x' })}`)).toEqual([]);
    expect(await ids(admin, `/api/v1/threads?metadata=${q({ topic: 'x' })}`)).toEqual(sorted('t1', 'bobThread'));
  });

  it("a thread's messages: after_seq and limit", async () => {
    await post(
      alice,
      `/api/v1/threads/${id.t1}/messages`,
      [1, 2, 3, 4].map((n) => ({ role: 'user', content: `m${n}` })),
    );
    const read = (query: string) =>
      json<{ data: Array<{ seq: number }> }>(
        h.call('GET', `/api/v1/threads/${id.t1}/messages${query}`, { key: alice.key }),
      ).then((page) => page.data.map((m) => m.seq));
    const all = await read('');
    expect(all).toHaveLength(4);
    expect(await read(`?after_seq=${all[1]}`)).toEqual(all.slice(2));
    expect(await read('?limit=2')).toEqual(all.slice(0, 2));
  });

  it('LangGraph assistants search: graph_id, name, metadata, paging, order and select', async () => {
    const search = (caller: Caller, body: Record<string, unknown>) =>
      post<Array<Record<string, unknown>>>(caller, '/assistants/search', { limit: 100, ...body });
    const ours = [id.echo, id.http, id.echo2];
    const found = async (body: Record<string, unknown>) =>
      (await search(alice, body))
        .map((a) => a.assistant_id as string)
        .filter((item) => ours.includes(item) || item === id.bobEcho)
        .sort();
    expect(await found({ graph_id: 'g-one' })).toEqual(sorted('echo'));
    expect(await found({ graph_id: 'g-two' })).toEqual(sorted('http'));
    expect(await found({ name: 'Gamma' })).toEqual(sorted('echo2'));
    expect(await found({ metadata: { team: 'b' } })).toEqual(sorted('http'));
    expect(await found({ graph_id: 'g-one', metadata: { team: 'b' } })).toEqual([]);
    const byName = (await search(alice, { metadata: { team: 'a' }, sort_by: 'name', sort_order: 'asc' })).map(
      (a) => a.name,
    );
    expect(byName).toEqual(['Alpha report']);
    const named = (await search(alice, { sort_by: 'name', sort_order: 'asc' }))
      .map((a) => a.name as string)
      .filter((name) => ['Alpha report', 'Beta', 'Gamma'].includes(name));
    expect(named).toEqual(['Alpha report', 'Beta', 'Gamma']);
    const paged = await search(alice, { sort_by: 'name', sort_order: 'asc', limit: 1, offset: 1 });
    expect(paged).toHaveLength(1);
    expect(paged[0]!.name).not.toBe((await search(alice, { sort_by: 'name', sort_order: 'asc', limit: 1 }))[0]!.name);
    expect(await search(alice, { graph_id: 'g-one', select: ['assistant_id', 'name'] })).toEqual([
      { assistant_id: id.echo, name: 'Alpha report' },
    ]);
    // A field that does not exist is refused, not answered with empty objects.
    const unknown = await h.call('POST', '/assistants/search', { key: alice.key, body: { select: ['colour'] } });
    expect(unknown.status).toBe(422);
  });

  it('LangGraph thread runs: status, paging and select', async () => {
    const cancelled = (await post<{ id: string }>(alice, '/api/v1/runs', { assistant_id: id.echo, thread_id: id.t1 }))
      .id;
    await json(h.call('POST', `/api/v1/runs/${cancelled}/cancel`, { key: alice.key }));
    const list = (query: string) =>
      json<Array<Record<string, unknown>>>(h.call('GET', `/threads/${id.t1}/runs${query}`, { key: alice.key }));
    expect((await list('')).map((run) => run.run_id).sort()).toEqual([id.rApi, cancelled].sort());
    expect((await list('?status=interrupted')).map((run) => run.run_id)).toEqual([cancelled]);
    expect((await list('?status=pending')).map((run) => run.run_id)).toEqual([id.rApi]);
    expect((await list('?status=success')).map((run) => run.run_id)).toEqual([]);
    expect(await list('?limit=1')).toHaveLength(1);
    expect(await list('?limit=1&offset=2')).toHaveLength(0);
    expect(await list('?status=pending&select=run_id')).toEqual([{ run_id: id.rApi }]);
    expect((await h.call('GET', `/threads/${id.t1}/runs?select=colour`, { key: alice.key })).status).toBe(422);
  });
});
