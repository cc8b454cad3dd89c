import { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** The built-in module assistant (no network, no key), graph id `kairos-digest`. */
const digestId = '00000000-0000-4000-8000-00000000d1e5';
const graph = 'kairos-digest';

interface AgentBody {
  run_id: string;
  thread_id: string | null;
  input?: { hang?: boolean };
  config?: unknown;
  context?: unknown;
}

describe('@langchain/langgraph-sdk: assistants, threads and runs around the crons', () => {
  let server: KairosProcess;
  let client: Client;
  let agent: HttpAgentServer;
  let httpAssistant: string;
  const native = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, init);
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const post = (path: string, body: unknown) =>
    native<{ id: string }>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const status = async (promise: Promise<unknown>) => {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as { status?: number; text?: string } | undefined;
    return { status: error?.status, text: error?.text ?? '' };
  };

  beforeAll(async () => {
    // An http agent that answers at once, or never (`input.hang`), so that a run can be cancelled mid-flight.
    agent = await startHttpAgentServer((request) => {
      const body = request.body as AgentBody;
      if (body.input?.hang) return { hang: true };
      return { body: { run_id: body.run_id, thread_id: body.thread_id, config: body.config ?? null } };
    });
    server = await startKairosProcess({
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: uniqueSchema('compat_routes'),
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_POLL_INTERVAL_MS: '500',
      KAIROS_MAX_SCHEDULES_PER_USER: '1000',
      KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
    });
    client = new Client({ apiUrl: server.url, apiKey: null, callerOptions: { maxRetries: 0 } });
    httpAssistant = (
      await post('/api/v1/assistants', { name: 'routes http', kind: 'http', config: { url: `${agent.url}/agent` } })
    ).id;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await agent?.close();
  });

  it('answers GET /ok without a key', async () => {
    expect(await native('/ok')).toEqual({ ok: true });
  });

  it('keeps assistant config and context; updates, counts, versions, sets latest and deletes', async () => {
    const created = await client.assistants.create({
      graphId: graph,
      name: 'configured',
      config: { tags: ['aegra'], configurable: { model: 'small' } },
      context: { tenant: 'acme' },
      metadata: { suite: 'assistants' },
    });
    expect(created).toMatchObject({
      graph_id: graph,
      config: { tags: ['aegra'], configurable: { model: 'small' } },
      context: { tenant: 'acme' },
    });
    expect(await client.assistants.get(created.assistant_id)).toMatchObject({ context: { tenant: 'acme' } });
    const updated = await client.assistants.update(created.assistant_id, {
      name: 'renamed',
      config: { tags: ['b'] },
      metadata: { extra: 1 },
    });
    expect(updated).toMatchObject({
      name: 'renamed',
      config: { tags: ['b'] },
      context: { tenant: 'acme' },
      metadata: { suite: 'assistants', extra: 1 },
    });
    expect(await client.assistants.count({ metadata: { suite: 'assistants' } })).toBe(1);
    expect(await client.assistants.count({ graphId: graph, metadata: { suite: 'none' } })).toBe(0);
    const versions = await client.assistants.getVersions(created.assistant_id);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ assistant_id: created.assistant_id, version: updated.version });
    expect(await client.assistants.setLatest(created.assistant_id, updated.version)).toMatchObject({ name: 'renamed' });
    expect((await status(client.assistants.setLatest(created.assistant_id, updated.version + 5))).status).toBe(404);
    expect((await status(client.assistants.update(created.assistant_id, { graphId: 'other' }))).status).toBe(422);
    await client.assistants.delete(created.assistant_id);
    const gone = await status(client.assistants.get(created.assistant_id));
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toEqual({
      error: {
        code: 'not_found',
        message: `No assistant found for "${created.assistant_id}".`,
        details: { id: created.assistant_id },
      },
    });
  });

  it("gives a run the assistant's config when the run brings none", async () => {
    const assistant = await client.assistants.create({ graphId: httpAssistant, config: { tags: ['from-assistant'] } });
    const output = (await client.runs.wait(null, assistant.assistant_id, { input: {} })) as { config: unknown };
    expect(output.config).toEqual({ tags: ['from-assistant'] });
    const own = (await client.runs.wait(null, assistant.assistant_id, { config: { tags: ['own'] } })) as {
      config: unknown;
    };
    expect(own.config).toEqual({ tags: ['own'] });
  });

  it('searches, counts, updates and deletes threads; the state holds the messages', async () => {
    const a = await client.threads.create({ metadata: { suite: 'threads', n: 1 } });
    const b = await client.threads.create({ metadata: { suite: 'threads', n: 2 } });
    const ids = (threads: Array<{ thread_id: string }>) => threads.map((t) => t.thread_id);
    expect(ids(await client.threads.search({ metadata: { suite: 'threads' } }))).toEqual([b.thread_id, a.thread_id]);
    expect(
      ids(await client.threads.search({ metadata: { suite: 'threads' }, sortBy: 'created_at', sortOrder: 'asc' })),
    ).toEqual([a.thread_id, b.thread_id]);
    expect(ids(await client.threads.search({ ids: [a.thread_id] }))).toEqual([a.thread_id]);
    expect(ids(await client.threads.search({ metadata: { suite: 'threads' }, status: 'busy' }))).toEqual([]);
    expect(ids(await client.threads.search({ metadata: { suite: 'threads' }, limit: 1, offset: 1 }))).toEqual([
      a.thread_id,
    ]);
    expect(await client.threads.search({ ids: [a.thread_id], select: ['thread_id', 'status'] })).toEqual([
      { thread_id: a.thread_id, status: 'idle' },
    ]);
    expect(await client.threads.count({ metadata: { suite: 'threads' } })).toBe(2);
    const updated = await client.threads.update(a.thread_id, { metadata: { extra: true } });
    expect(updated.metadata).toEqual({ suite: 'threads', n: 1, extra: true });

    await client.runs.wait(a.thread_id, graph, { input: { note: 'hi' } });
    const state = await client.threads.getState(a.thread_id);
    const messages = (state.values as { messages: Array<{ role: string }> }).messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(state).toMatchObject({ next: [], tasks: [], parent_checkpoint: null });

    await client.threads.delete(b.thread_id);
    expect((await status(client.threads.get(b.thread_id))).status).toBe(404);
    expect(await client.threads.count({ metadata: { suite: 'threads' } })).toBe(1);
  });

  it('creates runs on a thread and stateless; gets, lists, joins and deletes them', async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, graph, { input: { note: 'bg' }, metadata: { mine: 1 } });
    expect(run).toMatchObject({ thread_id: thread.thread_id, assistant_id: digestId, metadata: { mine: 1 } });
    expect(['pending', 'running', 'success']).toContain(run.status);
    const joined = (await client.runs.join(thread.thread_id, run.run_id)) as Record<string, unknown>;
    expect(joined).not.toHaveProperty('__error__');
    expect(Object.keys(joined).length).toBeGreaterThan(0);
    expect(await client.runs.get(thread.thread_id, run.run_id)).toMatchObject({
      run_id: run.run_id,
      status: 'success',
    });
    expect((await client.runs.list(thread.thread_id)).map((r) => r.run_id)).toEqual([run.run_id]);
    const other = await client.threads.create();
    expect((await status(client.runs.get(other.thread_id, run.run_id))).status).toBe(404);

    const stateless = await client.runs.create(null, httpAssistant, { input: { q: 1 } });
    expect(stateless.thread_id).toBeNull();
    const output = (await client.runs.wait(null, httpAssistant, { input: { q: 2 } })) as { run_id: string };
    expect(output.run_id).toMatch(/^[0-9a-f-]{36}$/);

    await client.runs.delete(thread.thread_id, run.run_id);
    expect((await status(client.runs.get(thread.thread_id, run.run_id))).status).toBe(404);
    expect(await client.runs.list(thread.thread_id)).toEqual([]);
  });

  it('cancels a running run with wait (then interrupted); a running run cannot be deleted', async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, httpAssistant, { input: { hang: true } });
    await waitFor(async () => (await client.runs.get(thread.thread_id, run.run_id)).status === 'running', {
      timeoutMs: 20_000,
      message: 'the run started',
    });
    const busy = await status(client.runs.delete(thread.thread_id, run.run_id));
    expect(busy.status).toBe(409);
    expect(JSON.parse(busy.text).error.code).toBe('run_active');
    expect((await status(client.runs.cancel(thread.thread_id, run.run_id, true, 'rollback'))).status).toBe(422);
    await client.runs.cancel(thread.thread_id, run.run_id, true);
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe('interrupted');
    await client.runs.delete(thread.thread_id, run.run_id);
  });

  it('streams a new run, and joins the stream of a finished one (from the start and after Last-Event-ID)', async () => {
    const thread = await client.threads.create();
    const parts: Array<{ event: string; data: unknown; id?: string }> = [];
    for await (const part of client.runs.stream(thread.thread_id, graph, { input: { note: 'stream' } }))
      parts.push(part);
    const events = parts.map((part) => part.event);
    expect(events[0]).toBe('metadata');
    expect(events).toContain('status');
    expect(events.slice(-2)).toEqual(['values', 'end']);
    const runId = (parts[0]!.data as { run_id: string }).run_id;
    expect(parts.at(-1)!.data).toMatchObject({ kind: 'end', status: 'success' });

    const joined: Array<{ event: string; id?: string }> = [];
    for await (const part of client.runs.joinStream(thread.thread_id, runId)) joined.push(part);
    expect(joined.map((part) => part.event)).toEqual(events);
    const firstStatus = joined.find((part) => part.event === 'status')!;
    const resumed: string[] = [];
    for await (const part of client.runs.joinStream(thread.thread_id, runId, { lastEventId: firstStatus.id! }))
      resumed.push(part.event);
    expect(resumed.length).toBe(joined.length - 2); // neither metadata nor the first status
    expect(resumed.slice(-2)).toEqual(['values', 'end']);

    // A stateless run's stream, by run id alone (the SDK's joinStream with no thread).
    const stateless = await client.runs.create(null, httpAssistant, { input: { q: 3 } });
    const tail: string[] = [];
    for await (const part of client.runs.joinStream(null, stateless.run_id)) tail.push(part.event);
    expect(tail.slice(-2)).toEqual(['values', 'end']);
  });

  it('answers 501 naming what is not supported for graph internals', async () => {
    const graphCall = await status(client.assistants.getGraph(digestId));
    expect(graphCall.status).toBe(501);
    expect(JSON.parse(graphCall.text).error).toMatchObject({ code: 'not_supported' });
    expect(JSON.parse(graphCall.text).error.message).toMatch(/graph drawings/);
    expect((await status(client.assistants.getSchemas(digestId))).status).toBe(501);
    const thread = await client.threads.create();
    const history = await status(client.threads.getHistory(thread.thread_id));
    expect(history.status).toBe(501);
    expect(JSON.parse(history.text).error.message).toMatch(/checkpoint/);
    expect((await status(client.threads.getState(thread.thread_id, 'some-checkpoint'))).status).toBe(501);
  });

  it('uses LangGraph wording for an unknown assistant, keeping the code', async () => {
    const missing = await status(client.runs.create(null, 'no-such-graph'));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error).toMatchObject({
      code: 'not_found',
      message: 'No assistant found for "no-such-graph".',
    });
    const cron = await status(client.crons.create('no-such-graph', { schedule: '0 9 * * *' }));
    expect(JSON.parse(cron.text).error.message).toBe('No assistant found for "no-such-graph".');
  });

  it('refuses an end_time at or before now (422 naming it): no cron, no run', async () => {
    const before = (await native<{ total: number }>(`/api/v1/runs?assistant_id=${digestId}`)).total;
    const past = await status(
      client.crons.create(graph, {
        schedule: '0 9 * * *',
        endTime: new Date(Date.now() - 1000).toISOString(),
        metadata: { suite: 'past' },
      }),
    );
    expect(past.status).toBe(422);
    expect(JSON.parse(past.text).error).toMatchObject({ code: 'invalid_request', details: { field: 'end_time' } });
    expect(await client.crons.count({ metadata: { suite: 'past' } })).toBe(0);
    expect((await native<{ total: number }>(`/api/v1/runs?assistant_id=${digestId}`)).total).toBe(before);
  });

  it("puts a cron's metadata on its runs (under the run's own), without Kairos's internal keys", async () => {
    const thread = await client.threads.create();
    const cron = (await client.crons.createForThread(thread.thread_id, graph, {
      schedule: '0 9 * * *',
      metadata: { team: 'growth' },
    })) as unknown as { run_id: string; on_run_completed: unknown };
    expect(cron.on_run_completed).toBeNull(); // a thread-bound cron has no per-run thread
    await client.runs.join(thread.thread_id, cron.run_id);
    const [run] = await client.runs.list(thread.thread_id);
    expect(run!.metadata).toEqual({ team: 'growth' });
    const nativeRun = await native<{ metadata: Record<string, unknown> }>(`/api/v1/runs/${cron.run_id}`);
    expect(nativeRun.metadata).toHaveProperty('triggered_by');
  });

  it("stores a cron's metadata on every run it fires (scheduled, on create, backfilled): the same through the LangGraph routes and the native API", async () => {
    type NativeRun = { id: string; trigger: string; metadata: Record<string, unknown> };
    const thread = await client.threads.create();
    const cron = (await client.crons.createForThread(thread.thread_id, graph, {
      schedule: '* * * * * *',
      metadata: { team: 'ops', tier: 2 },
    })) as unknown as { cron_id: string; run_id: string };
    const runsOf = async (trigger: string) =>
      (await native<{ data: NativeRun[] }>(`/api/v1/runs?schedule_id=${cron.cron_id}&trigger=${trigger}&limit=100`))
        .data;
    const fired = await waitFor(async () => (await runsOf('schedule'))[0], { timeoutMs: 30_000 });
    await post(`/api/v1/schedules/${cron.cron_id}/pause`, {});
    // Native: the cron's metadata was stored with the run when it was created.
    expect(fired.metadata).toEqual({ team: 'ops', tier: 2 });
    expect((await client.runs.get(thread.thread_id, fired.id)).metadata).toEqual({ team: 'ops', tier: 2 });

    // The run on create: the run's own keys over the cron's natively, hidden from LangGraph.
    const created = await native<NativeRun>(`/api/v1/runs/${cron.run_id}`);
    expect(created.metadata).toMatchObject({ team: 'ops', tier: 2, overlap: 'obey' });
    expect(created.metadata).toHaveProperty('triggered_by');
    expect((await client.runs.get(thread.thread_id, cron.run_id)).metadata).toEqual({ team: 'ops', tier: 2 });

    // A backfill of past seconds: each run has the cron's metadata beside its `backfill` key.
    const to = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const backfill = await native<{ run_ids: string[] }>(`/api/v1/schedules/${cron.cron_id}/backfill`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: new Date(to - 2000).toISOString(), to: new Date(to).toISOString() }),
    });
    expect(backfill.run_ids).toHaveLength(2);
    for (const id of backfill.run_ids) {
      const run = await native<NativeRun>(`/api/v1/runs/${id}`);
      expect(run).toMatchObject({ trigger: 'backfill', metadata: { team: 'ops', tier: 2 } });
      expect(run.metadata).toHaveProperty('backfill');
      expect((await client.runs.get(thread.thread_id, id)).metadata).toEqual({ team: 'ops', tier: 2 });
    }

    // LangGraph's list shows the same for every run of the thread.
    for (const run of await client.runs.list(thread.thread_id, { limit: 100 }))
      expect(run.metadata).toEqual({ team: 'ops', tier: 2 });
    await client.crons.delete(cron.cron_id);
  }, 60_000);

  it('gives a stateless cron a fresh thread per run, deleted after it; posts the LangGraph webhook body', async () => {
    const receiver = await startHttpAgentServer(() => ({ body: { ok: true } }));
    try {
      const cron = (await client.crons.create(httpAssistant, {
        schedule: '0 9 * * *',
        metadata: { suite: 'fresh' },
        webhook: `${receiver.url}/done`,
      })) as unknown as { run_id: string; cron_id: string; on_run_completed: unknown };
      expect(cron.on_run_completed).toBe('delete');
      const request = await waitFor(() => agent.requests.find((r) => (r.body as AgentBody).run_id === cron.run_id), {
        timeoutMs: 20_000,
        message: 'the agent was called',
      });
      const threadId = (request.body as AgentBody).thread_id;
      expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
      const [hook] = await receiver.waitForRequests(1, 20_000);
      const body = hook!.body as Record<string, unknown>;
      expect(body).toMatchObject({
        run_id: cron.run_id,
        assistant_id: httpAssistant,
        status: 'success',
        metadata: { suite: 'fresh' },
        values: { run_id: cron.run_id, thread_id: threadId },
      });
      expect(body).not.toHaveProperty('error');
      expect(Date.parse(body.run_started_at as string)).toBeLessThanOrEqual(Date.parse(body.run_ended_at as string));
      expect((await status(client.threads.get(threadId!))).status).toBe(404);
      await client.crons.delete(cron.cron_id);
    } finally {
      await receiver.close();
    }
  });

  it('deletes 200 crons while their first runs finish: every delete answers 204', async () => {
    // Created 20 at a time (each starts its first run at once), then deleted 20 at a time at once: most
    // first runs are still being claimed, run or finished while their cron is deleted.
    const created: string[] = [];
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          client.crons.create(graph, { schedule: '0 9 * * *', metadata: { suite: 'herd' } }),
        ),
      );
      created.push(...batch.map((cron) => cron.cron_id));
    }
    const outcomes: Array<number | undefined> = [];
    for (let i = 0; i < created.length; i += 20)
      outcomes.push(
        ...(await Promise.all(
          created.slice(i, i + 20).map(async (id) => (await status(client.crons.delete(id))).status),
        )),
      );
    expect(outcomes.filter((outcome) => outcome !== undefined)).toEqual([]);
    expect(await client.crons.count({ metadata: { suite: 'herd' } })).toBe(0);
  }, 120_000);
});
