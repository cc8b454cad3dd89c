import { Client, type Cron } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';
import { startHttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** The built-in assistant: a module that needs no network or key, graph id `kairos-digest`. */
const digestId = '00000000-0000-4000-8000-00000000d1e5';
const graph = 'kairos-digest';

interface NativeRun {
  id: string;
  status: string;
  trigger: string;
  scheduled_for: string | null;
  thread_id: string | null;
}

type CreatedCron = Cron & { run_id?: string };

describe('@langchain/langgraph-sdk against a running Kairos (local mode, no key)', () => {
  let server: KairosProcess;
  let client: Client;
  const native = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, init);
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const runOf = (id: string) => native<NativeRun>(`/api/v1/runs/${id}`);
  const finished = (id: string) =>
    waitFor(
      async () => {
        const run = await runOf(id);
        return ['success', 'error', 'timeout', 'cancelled', 'skipped'].includes(run.status) ? run : undefined;
      },
      { timeoutMs: 20_000, message: `run ${id} finished` },
    );

  beforeAll(async () => {
    server = await startKairosProcess({
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: uniqueSchema('compat'),
      KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_POLL_INTERVAL_MS: '500',
    });
    // No apiKey: bound to loopback with no keys, Kairos runs in local mode. Retries off, so errors surface at once.
    client = new Client({ apiUrl: server.url, apiKey: null, callerOptions: { maxRetries: 0 } });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('says crons are supported (GET /info)', async () => {
    const info = await native<{ flags: { crons: boolean; assistants: boolean } }>('/info');
    expect(info.flags).toMatchObject({ crons: true, assistants: true });
  });

  it('finds, gets and creates assistants', async () => {
    const found = await client.assistants.search({ graphId: graph });
    expect(found.map((assistant) => assistant.assistant_id)).toContain(digestId);
    const digest = await client.assistants.get(digestId);
    expect(digest).toMatchObject({ assistant_id: digestId, graph_id: graph, name: 'Kairos digest' });
    const created = await client.assistants.create({
      graphId: graph,
      name: 'compat digest',
      metadata: { suite: 'compat' },
    });
    expect(created).toMatchObject({ graph_id: graph, name: 'compat digest', metadata: { suite: 'compat' } });
    expect(created.assistant_id).not.toBe(digestId);
    const byMetadata = await client.assistants.search({ metadata: { suite: 'compat' } });
    expect(byMetadata.map((assistant) => assistant.assistant_id)).toEqual([created.assistant_id]);
  });

  it('creates a cron (the Cron object, an immediate first run), searches, counts, updates and deletes it', async () => {
    const cron = (await client.crons.create(graph, {
      schedule: '0 9 * * *',
      timezone: 'Europe/Paris',
      input: { note: 'daily' },
      metadata: { suite: 'crud', n: 1 },
    })) as CreatedCron;
    expect(cron).toMatchObject({
      assistant_id: digestId,
      thread_id: null,
      schedule: '0 9 * * *',
      timezone: 'Europe/Paris',
      end_time: null,
      enabled: true,
      on_run_completed: 'delete',
      user_id: '00000000-0000-0000-0000-000000000001',
      metadata: { suite: 'crud', n: 1 },
      payload: { input: { note: 'daily' } },
    });
    expect(cron.next_run_date).toMatch(/T0[78]:00:00\.000Z$/);
    expect(cron.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await finished(cron.run_id!)).status).toBe('success');

    const paused = (await client.crons.create(digestId, {
      schedule: '*/5 * * * *',
      enabled: false,
      metadata: { suite: 'crud', n: 2 },
    })) as CreatedCron;
    expect(paused.enabled).toBe(false);
    expect(paused.run_id).toBeUndefined();
    expect(paused.next_run_date).toBeNull();

    const ids = (crons: Cron[]) => crons.map((item) => item.cron_id);
    expect(ids(await client.crons.search({ metadata: { suite: 'crud' } }))).toEqual([paused.cron_id, cron.cron_id]);
    expect(
      ids(await client.crons.search({ metadata: { suite: 'crud' }, sortBy: 'created_at', sortOrder: 'asc' })),
    ).toEqual([cron.cron_id, paused.cron_id]);
    expect(ids(await client.crons.search({ metadata: { suite: 'crud' }, enabled: false }))).toEqual([paused.cron_id]);
    expect(ids(await client.crons.search({ metadata: { suite: 'crud', n: 1 } }))).toEqual([cron.cron_id]);
    expect(ids(await client.crons.search({ metadata: { suite: 'crud' }, limit: 1, offset: 1 }))).toEqual([
      cron.cron_id,
    ]);
    expect(ids(await client.crons.search({ assistantId: graph, metadata: { suite: 'crud' } }))).toHaveLength(2);
    const selected = await client.crons.search({ metadata: { suite: 'crud', n: 2 }, select: ['cron_id', 'enabled'] });
    expect(selected).toEqual([{ cron_id: paused.cron_id, enabled: false }]);
    expect(await client.crons.count({ metadata: { suite: 'crud' } })).toBe(2);
    expect(await client.crons.count({ assistantId: digestId, metadata: { suite: 'crud', n: 2 } })).toBe(1);
    const unknown = await fetch(`${server.url}/runs/crons/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: graph, colour: 'red' }),
    });
    expect(unknown.status).toBe(422);

    const endTime = '2099-01-01T00:00:00.000Z';
    const updated = await client.crons.update(cron.cron_id, {
      schedule: '30 10 * * *',
      timezone: 'UTC',
      metadata: { extra: true },
      endTime,
    });
    expect(updated).toMatchObject({
      schedule: '30 10 * * *',
      timezone: 'UTC',
      end_time: endTime,
      metadata: { suite: 'crud', n: 1, extra: true },
    });
    expect(updated.next_run_date).toMatch(/T10:30:00\.000Z$/);
    const cleared = await client.crons.update(cron.cron_id, { endTime: null as unknown as string, enabled: false });
    expect(cleared).toMatchObject({ end_time: null, enabled: false, next_run_date: null });
    const resumed = await client.crons.update(cron.cron_id, { enabled: true });
    expect(resumed.enabled).toBe(true);
    expect(resumed.next_run_date).toMatch(/T10:30:00\.000Z$/);

    await client.crons.delete(cron.cron_id);
    await client.crons.delete(paused.cron_id);
    expect(await client.crons.count({ metadata: { suite: 'crud' } })).toBe(0);
    await expect(client.crons.update(cron.cron_id, { enabled: false })).rejects.toThrow(/404/);
  });

  it('binds crons to a thread: runs continue it, runs.list and runs.wait work on it', async () => {
    const thread = await client.threads.create({ metadata: { suite: 'thread' } });
    expect(thread.thread_id).toMatch(/^[0-9a-f-]{36}$/);
    const cron = (await client.crons.createForThread(thread.thread_id, graph, {
      schedule: '0 9 * * *',
      input: { note: 'thread' },
    })) as CreatedCron;
    expect(cron.thread_id).toBe(thread.thread_id);
    expect((await finished(cron.run_id!)).status).toBe('success');
    const runs = await client.runs.list(thread.thread_id);
    expect(runs.map((run) => run.run_id)).toEqual([cron.run_id]);
    expect(runs[0]).toMatchObject({ thread_id: thread.thread_id, assistant_id: digestId, status: 'success' });
    expect(await client.crons.search({ threadId: thread.thread_id })).toHaveLength(1);

    const output = await client.runs.wait(thread.thread_id, graph, { input: { note: 'now' } });
    expect(typeof output).toBe('object');
    expect(output).not.toHaveProperty('__error__');
    expect(Object.keys(output as object).length).toBeGreaterThan(0);
    expect((await client.runs.list(thread.thread_id)).length).toBe(2);
    const state = await client.threads.get(thread.thread_id);
    expect((state.values as { messages: unknown[] }).messages).toHaveLength(4);
    await client.crons.delete(cron.cron_id);
  });

  it('fires a 6-field cron every second, at least twice, and never at or after end_time', async () => {
    const endTime = new Date(Date.now() + 4000).toISOString();
    const cron = (await client.crons.create(graph, {
      schedule: '* * * * * *',
      endTime,
      metadata: { suite: 'seconds' },
    })) as CreatedCron;
    expect(cron.end_time).toBe(endTime);
    const runs = await waitFor(
      async () => {
        const schedule = await native<{ status: string }>(`/api/v1/schedules/${cron.cron_id}`);
        if (schedule.status !== 'completed') return undefined;
        return (
          await native<{ data: NativeRun[] }>(`/api/v1/schedules/${cron.cron_id}/runs?trigger=schedule&limit=100`)
        ).data;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'the cron completed at its end_time' },
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(Date.parse(run.scheduled_for!)).toBeLessThan(Date.parse(endTime));
    // Every run ends; on a loaded machine one can still be running at the next second, and the
    // default overlap policy (skip) then records that one as skipped: a correct outcome, not a failure.
    const ended = await waitFor(
      async () => {
        const all = await Promise.all(runs.map((run) => runOf(run.id)));
        return all.every((run) => run.status !== 'pending' && run.status !== 'running') ? all : undefined;
      },
      { timeoutMs: 30_000, message: 'every fired run ended' },
    );
    expect(ended.some((run) => run.status === 'success')).toBe(true);
    for (const run of ended) expect(['success', 'skipped']).toContain(run.status);
    // The SDK has no crons.get; the route is LangGraph's GET /runs/crons/{cron_id}.
    const after = await native<Cron>(`/runs/crons/${cron.cron_id}`);
    expect(after.next_run_date).toBeNull();
    await client.crons.delete(cron.cron_id);
  });

  it('deletes or keeps the per-run thread as on_run_completed says', async () => {
    const threadsOf = (cronId: string) =>
      native<{ data: Array<{ id: string }> }>(
        `/api/v1/threads?metadata=${encodeURIComponent(JSON.stringify({ schedule_id: cronId }))}`,
      );
    const keep = (await client.crons.create(graph, { schedule: '0 9 * * *', onRunCompleted: 'keep' })) as CreatedCron;
    const drop = (await client.crons.create(graph, { schedule: '0 9 * * *', onRunCompleted: 'delete' })) as CreatedCron;
    expect(keep.on_run_completed).toBe('keep');
    expect(drop.on_run_completed).toBe('delete');
    expect((await finished(keep.run_id!)).status).toBe('success');
    expect((await finished(drop.run_id!)).status).toBe('success');
    const kept = (await threadsOf(keep.cron_id)).data;
    expect(kept).toHaveLength(1);
    const messages = await native<{ data: unknown[] }>(`/api/v1/threads/${kept[0]!.id}/messages`);
    expect(messages.data).toHaveLength(2);
    expect((await threadsOf(drop.cron_id)).data).toHaveLength(0);
    await client.crons.delete(keep.cron_id);
    await client.crons.delete(drop.cron_id);
  });

  it("applies a cron's config and context to its runs (http assistant body); a cron without them sends neither", async () => {
    const agent = await startHttpAgentServer();
    try {
      const assistant = await native<{ id: string }>('/api/v1/assistants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'compat http', kind: 'http', config: { url: `${agent.url}/agent` } }),
      });
      const withConfig = (await client.crons.create(assistant.id, {
        schedule: '0 9 * * *',
        config: { configurable: { user: 'ada' }, tags: ['compat'] },
        context: { locale: 'fr' },
      })) as CreatedCron;
      expect((await finished(withConfig.run_id!)).status).toBe('success');
      const [first] = await agent.waitForRequests(1, 20_000);
      const body = first!.body as {
        run_id: string;
        config?: { configurable?: { user?: string }; tags?: string[] };
        context?: unknown;
      };
      expect(body.run_id).toBe(withConfig.run_id);
      expect(body.config?.configurable?.user).toBe('ada');
      expect(body.config?.tags).toEqual(['compat']);
      expect(body.context).toEqual({ locale: 'fr' });

      const without = (await client.crons.create(assistant.id, { schedule: '0 9 * * *' })) as CreatedCron;
      expect((await finished(without.run_id!)).status).toBe('success');
      const second = (await agent.waitForRequests(2, 20_000))[1]!.body as Record<string, unknown>;
      expect(second.run_id).toBe(without.run_id);
      expect(second).not.toHaveProperty('config');
      expect(second).not.toHaveProperty('context');
      await client.crons.delete(withConfig.cron_id);
      await client.crons.delete(without.cron_id);
    } finally {
      await agent.close();
    }
  });

  it('runs.wait passes config and context to the run (stateless and on a thread): kept on the run, in the http body', async () => {
    const agent = await startHttpAgentServer((request) => {
      const body = request.body as { run_id: string; config?: unknown; context?: unknown };
      return { body: { run_id: body.run_id, config: body.config ?? null, context: body.context ?? null } };
    });
    try {
      const assistant = await native<{ id: string }>('/api/v1/assistants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'compat wait', kind: 'http', config: { url: `${agent.url}/agent` } }),
      });
      const config = { configurable: { user_id: 'ada', model: 'small' }, tags: ['wait'], recursion_limit: 5 };
      const context = { tenant: 'acme', locale: 'fr' };
      const stateless = (await client.runs.wait(null, assistant.id, { input: { q: 1 }, config, context })) as {
        run_id: string;
        config: unknown;
        context: unknown;
      };
      expect(stateless).toMatchObject({ config, context });
      const run = await native<{ config: unknown; context: unknown; input: unknown }>(
        `/api/v1/runs/${stateless.run_id}`,
      );
      expect(run).toMatchObject({ config, context, input: { q: 1 } });

      const thread = await client.threads.create();
      const onThread = (await client.runs.wait(thread.thread_id, assistant.id, {
        input: { text: 'hello' },
        context: { tenant: 'globex' },
      })) as {
        run_id: string;
        config: unknown;
        context: unknown;
      };
      expect(onThread).toMatchObject({ config: null, context: { tenant: 'globex' } });
      expect(await native(`/api/v1/runs/${onThread.run_id}`)).toMatchObject({
        thread_id: thread.thread_id,
        config: null,
        context: { tenant: 'globex' },
      });
    } finally {
      await agent.close();
    }
  });

  it("POSTs each finished run to the cron's webhook, in LangGraph's webhook body", async () => {
    const receiver = await startHttpAgentServer(() => ({ body: { ok: true } }));
    try {
      const cron = (await client.crons.create(graph, {
        schedule: '0 9 * * *',
        webhook: `${receiver.url}/done`,
      })) as CreatedCron;
      expect(cron.payload).toMatchObject({ webhook: `${receiver.url}/done` });
      const [request] = await receiver.waitForRequests(1, 20_000);
      expect(request).toMatchObject({
        method: 'POST',
        path: '/done',
        body: { run_id: cron.run_id, assistant_id: digestId, status: 'success', metadata: {} },
      });
      expect(request!.body).toHaveProperty('values');
      expect(request!.body).toHaveProperty('run_ended_at');
      await client.crons.delete(cron.cron_id);
    } finally {
      await receiver.close();
    }
  });
});
