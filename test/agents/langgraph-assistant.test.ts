import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { type Assistant } from '../../src/agents/runtime.ts';
import { Kairos } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import {
  agentConfig,
  insertSchedule,
  localAdmin,
  makeRun,
  recordEvents,
  scheduleThreadId,
  silentLogger,
} from './fixtures.ts';
import { insertRunRow, remoteSessionsOf, runResource } from './remote-fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

/**
 * The langgraph kind against Kairos's own LangGraph-compatible routes: a second Kairos (its own
 * database, on a real port) is the remote server, so the client half and the server half check
 * each other. The remote Kairos runs an http assistant whose endpoint echoes what it was given
 * (input, the remote thread id and the remote thread's history).
 */
describe.each(databaseKinds)('langgraph assistants (local %s) against a second Kairos', (kind) => {
  let local: TestDatabase;
  let remoteDb: TestDatabase;
  let remote: Kairos;
  let remoteUrl: string;
  let echo: HttpAgentServer;
  let remoteAssistantId: string;
  let deps: AssistantExecutionDeps;

  beforeAll(async () => {
    echo = await startHttpAgentServer((request) => {
      const body = request.body as {
        input: unknown;
        thread_id: string | null;
        history?: unknown[];
        config?: unknown;
        context?: unknown;
      };
      if ((body.input as { fail?: boolean } | null)?.fail)
        return { status: 400, body: { error: 'refused on purpose' } };
      return {
        body: {
          echoed: body.input,
          remote_thread: body.thread_id,
          history_length: body.history?.length ?? 0,
          // What the remote run was given (absent when none): checks that /runs/wait passes them on.
          ...(body.config !== undefined && { config: body.config }),
          ...(body.context !== undefined && { context: body.context }),
        },
      };
    });
    [local, remoteDb] = await Promise.all([createTestDatabase(kind), createTestDatabase('pglite')]);
    const config = loadConfig({
      KAIROS_LOG_LEVEL: 'silent',
      KAIROS_DEMO: 'false',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_POLL_INTERVAL_MS: '200',
      PORT: '0',
    });
    remote = await Kairos.create({ config, db: remoteDb.db });
    await remote.start();
    const address = await remote.listen(0, '127.0.0.1');
    remoteUrl = `http://127.0.0.1:${address.port}`;
    const echoAssistant = await remote.agents.assistants.create(
      { userId: localAdmin.userId, role: 'admin' },
      { name: 'echo', kind: 'http', config: { url: `${echo.url}/run` } },
    );
    remoteAssistantId = echoAssistant.id;
    deps = createAssistantExecution({ db: local.db, logger: silentLogger, config: agentConfig() });
  }, 60_000);
  afterAll(async () => {
    await remote?.close();
    await echo?.close();
    await remoteDb?.close();
    await local?.close();
  });

  const langgraphAssistant = (config: Record<string, unknown>) =>
    insertAssistant(local.db, {
      ownerId: localAdmin.userId,
      name: 'lg',
      kind: 'langgraph',
      config: { base_url: remoteUrl, ...config },
    });

  async function fail(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('a stateless run is POST /runs/wait and its output the final values', async () => {
    const assistant = await langgraphAssistant({ assistant_id: remoteAssistantId });
    const run = makeRun({ assistantId: assistant.id, input: { topic: 'rates' } });
    const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    expect(result.output).toEqual({ echoed: { topic: 'rates' }, remote_thread: null, history_length: 0 });
    expect(result.threadId).toBeNull();
  });

  it('output_key picks one key of the final values', async () => {
    const assistant = await langgraphAssistant({ assistant_id: remoteAssistantId, output_key: 'echoed' });
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: 'hello' }),
      new AbortController().signal,
      recordEvents().emit,
    );
    // Text input is sent as one user message, LangGraph's usual state shape.
    expect(result.output).toEqual({ messages: [{ role: 'user', content: 'hello' }] });
  });

  it('persistent: the remote thread is created once, kept on the Kairos thread and continued', async () => {
    const assistant = await langgraphAssistant({ assistant_id: remoteAssistantId });
    const scheduleId = await insertSchedule(local.db, {
      ownerId: localAdmin.userId,
      assistantId: assistant.id,
      sessionMode: 'persistent',
    });
    const fire = async (input: unknown, runNumber: number) => {
      const run = makeRun({
        assistantId: assistant.id,
        scheduleId,
        runNumber,
        trigger: 'schedule',
        scheduledFor: new Date(),
        sessionMode: 'persistent',
        onRunCompleted: 'delete',
        threadId: await scheduleThreadId(local.db, scheduleId),
        input,
      });
      await insertRunRow(local.db, run);
      const trace = recordEvents();
      const result = await executeAssistant(deps, run, new AbortController().signal, trace.emit);
      return { run, result, events: trace.events };
    };
    const first = await fire({ step: 1 }, 1);
    const output = first.result.output as { remote_thread: string; history_length: number };
    expect(output.remote_thread).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.history_length).toBe(0);
    expect(first.events).toContainEqual({
      kind: 'langgraph.thread',
      data: { thread_id: output.remote_thread, created: true },
    });
    const localThread = first.result.threadId!;
    expect(await remoteSessionsOf(local.db, localThread)).toEqual({ [assistant.id]: output.remote_thread });
    expect((await runResource(local.db, first.run.id)).remote_session_id).toBe(output.remote_thread);

    const second = await fire({ step: 2 }, 2);
    // Same remote thread, which now holds the first exchange (user + assistant messages).
    expect(second.result.output).toEqual({
      echoed: { step: 2 },
      remote_thread: output.remote_thread,
      history_length: 2,
    });
    expect(second.events.map((event) => event.kind)).not.toContain('langgraph.thread');
    expect((await runResource(local.db, second.run.id)).remote_session_id).toBe(output.remote_thread);
    // And the remote Kairos shows both runs on that thread.
    const remoteRuns = (await (await fetch(`${remoteUrl}/threads/${output.remote_thread}/runs`)).json()) as Array<{
      status: string;
    }>;
    expect(remoteRuns.map((run) => run.status)).toEqual(['success', 'success']);
  });

  it("a remote run that fails is an assistant error carrying the remote's reason", async () => {
    const assistant = await langgraphAssistant({ assistant_id: remoteAssistantId });
    const failure = await fail(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: { fail: true } }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(failure.kind).toBe('assistant_error');
    expect(failure.message).toContain('assistant_error');
    expect(failure.message).toContain('refused on purpose');
  });

  it('an unknown remote assistant is the 404 of the remote, not retried', async () => {
    const assistant = await langgraphAssistant({ graph_id: 'no-such-graph' });
    const failure = await fail(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: {} }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(failure.kind).toBe('assistant_error');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('404');
  });

  it('passes the run config and context through (schedule first, then the assistant defaults)', async () => {
    const stub = await startHttpAgentServer(() => ({ body: { answer: 42 } }));
    try {
      const assistant: Assistant = await langgraphAssistant({
        base_url: `${stub.url}/lg/`,
        graph_id: 'agent',
        config: { configurable: { model: 'small' } },
        context: { tenant: 'acme' },
        headers: { 'X-Team': 'ops' },
      });
      const run = makeRun({ assistantId: assistant.id, input: { q: 1 }, config: { tags: ['nightly'] } });
      const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
      expect(result.output).toEqual({ answer: 42 });
      const request = stub.requests.at(-1)!;
      expect(request.path).toBe('/lg/runs/wait');
      expect(request.headers['x-team']).toBe('ops');
      expect(request.body).toEqual({
        assistant_id: 'agent',
        input: { q: 1 },
        config: { tags: ['nightly'] },
        context: { tenant: 'acme' },
        metadata: { kairos_run_id: run.id },
      });
    } finally {
      await stub.close();
    }
  });

  it("end to end: the run's config and context reach the remote Kairos's run through /runs/wait and /threads/{id}/runs/wait", async () => {
    const assistant = await langgraphAssistant({ assistant_id: remoteAssistantId, context: { tenant: 'acme' } });
    const config = { configurable: { user_id: 'ada' }, tags: ['e2e'] };
    const run = makeRun({ assistantId: assistant.id, input: { topic: 'rates' }, config });
    const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    expect(result.output).toEqual({
      echoed: { topic: 'rates' },
      remote_thread: null,
      history_length: 0,
      config,
      context: { tenant: 'acme' },
    });
    const { rows } = await remoteDb.db.query<{ config: unknown; context: unknown; trigger: string }>(
      "SELECT config, context, trigger FROM runs WHERE metadata->>'kairos_run_id' = $1",
      [run.id],
    );
    expect(rows).toEqual([{ config, context: { tenant: 'acme' }, trigger: 'api' }]);

    // A persistent session: the remote thread's run gets them too.
    const persistent = await langgraphAssistant({ assistant_id: remoteAssistantId, config: { tags: ['threaded'] } });
    const scheduleId = await insertSchedule(local.db, {
      ownerId: localAdmin.userId,
      assistantId: persistent.id,
      sessionMode: 'persistent',
      name: 'e2e-config',
    });
    const threaded = makeRun({
      assistantId: persistent.id,
      input: { n: 1 },
      scheduleId,
      sessionMode: 'persistent',
      threadId: await scheduleThreadId(local.db, scheduleId),
      context: { tenant: 'globex' },
    });
    await insertRunRow(local.db, threaded);
    const answer = await executeAssistant(deps, threaded, new AbortController().signal, recordEvents().emit);
    expect(answer.output).toMatchObject({
      echoed: { n: 1 },
      remote_thread: expect.any(String),
      config: { tags: ['threaded'] },
      context: { tenant: 'globex' },
    });
    const remoteRun = await remoteDb.db.query<{ config: unknown; context: unknown; thread_id: string }>(
      "SELECT config, context, thread_id::text FROM runs WHERE metadata->>'kairos_run_id' = $1",
      [threaded.id],
    );
    expect(remoteRun.rows).toEqual([
      {
        config: { tags: ['threaded'] },
        context: { tenant: 'globex' },
        thread_id: (answer.output as { remote_thread: string }).remote_thread,
      },
    ]);
  });
});
