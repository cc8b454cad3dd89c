import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { startA2AAgentServer, type A2AAgentServer } from '../helpers/a2a-agent-server.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import {
  agentConfig,
  insertSchedule,
  localAdmin,
  makeRun,
  recordEvents,
  rejection,
  scheduleThreadId,
  silentLogger,
} from './fixtures.ts';
import { insertRunRow, remoteSessionsOf, runResource } from './remote-fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

describe.each(databaseKinds)('a2a assistants on %s, against an @a2a-js/sdk server', (kind) => {
  let testDb: TestDatabase;
  let agent: A2AAgentServer;
  let deps: AssistantExecutionDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    agent = await startA2AAgentServer();
    deps = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig(),
      env: { A2A_TOKEN: 'a2a-secret' },
    });
  });
  afterAll(async () => {
    await agent.close();
    await testDb.close();
  });
  beforeEach(() => {
    agent.methods.length = 0;
  });

  const a2aAssistant = (config: Record<string, unknown> = {}) =>
    insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'a2a',
      kind: 'a2a',
      config: { url: agent.url, poll_interval_s: 0.05, ...config },
    });
  const run = (assistantId: string, input: unknown, signal = new AbortController().signal) => {
    const trace = recordEvents();
    return { trace, done: executeAssistant(deps, makeRun({ assistantId, input }), signal, trace.emit) };
  };
  async function fail(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('an agent answering with a Message: its parts are the output; JSON input arrives as text and a data part', async () => {
    const assistant = await a2aAssistant();
    const { done } = run(assistant.id, { region: 'emea', days: 7 });
    const result = await done;
    expect(result.output).toEqual(['echo: {"region":"emea","days":7}', { region: 'emea', days: 7 }]);
    expect(agent.received.at(-1)).toMatchObject({
      text: '{"region":"emea","days":7}',
      data: { region: 'emea', days: 7 },
    });
    // v1.0 JSON-RPC, as the card declares.
    expect(agent.methods).toEqual(['SendMessage']);
  });

  it('a Task that completes later is polled until completed; its artifacts are the output', async () => {
    const assistant = await a2aAssistant();
    const { done, trace } = run(assistant.id, 'later please');
    const result = await done;
    expect(result.output).toEqual({
      artifacts: [
        { artifact_id: expect.any(String), name: 'summary', description: null, parts: ['all systems nominal'] },
        { artifact_id: expect.any(String), name: 'figures', description: null, parts: [{ cpu: 0.4 }] },
      ],
    });
    expect(agent.methods[0]).toBe('SendMessage');
    expect(agent.methods.slice(1).every((method) => method === 'GetTask')).toBe(true);
    expect(agent.methods.length).toBeGreaterThan(1);
    expect(trace.events.find((event) => event.kind === 'a2a.task.finished')?.data).toMatchObject({
      state: 'completed',
    });
  });

  it('a single text artifact is the output as text', async () => {
    const assistant = await a2aAssistant();
    expect((await run(assistant.id, 'single shot').done).output).toBe('done: single shot');
  });

  it('a failed Task is an assistant error with the agent reason, not retried', async () => {
    const assistant = await a2aAssistant();
    const failure = await fail(run(assistant.id, 'fail now').done);
    expect(failure.kind).toBe('assistant_error');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('failed');
    expect(failure.message).toContain('quota exceeded for this month');
  });

  it('a Task the agent cancels ends the run cancelled', async () => {
    const assistant = await a2aAssistant();
    const failure = await fail(run(assistant.id, 'cancel-self').done);
    expect(failure.kind).toBe('cancelled');
    expect(failure.message).toContain('the operator stopped it');
  });

  it.each([
    ['input', 'input-required', 'which region?'],
    ['auth', 'auth-required', 'sign in first'],
  ])('%s: the run ends as assistant_error naming %s', async (text, state, reason) => {
    const assistant = await a2aAssistant();
    const failure = await fail(run(assistant.id, text).done);
    expect(failure.kind).toBe('assistant_error');
    expect(failure.message).toContain(state);
    expect(failure.message).toContain(reason);
  });

  it('cancelling the run cancels the remote task', async () => {
    const assistant = await a2aAssistant();
    const controller = new AbortController();
    const hung = agent.hanging();
    const { done, trace } = run(assistant.id, 'hang on', controller.signal);
    const taskId = await hung;
    controller.abort(new RunFailure('cancelled', 'cancelled on request', { retryable: false }));
    const failure = await fail(done);
    expect(failure.kind).toBe('cancelled');
    expect(agent.cancelRequests).toContain(taskId);
    expect(agent.methods).toContain('CancelTask');
    expect(trace.events.find((event) => event.kind === 'a2a.task.cancelled')?.data).toMatchObject({ task_id: taskId });
  });

  it('the assistant timeout (timeout_s) cancels the remote task too', async () => {
    const assistant = await a2aAssistant({ timeout_s: 0.5 });
    const hung = agent.hanging();
    const { done } = run(assistant.id, 'hang again');
    const taskId = await hung;
    const failure = await fail(done);
    expect(failure.kind).toBe('timeout');
    expect(agent.cancelRequests).toContain(taskId);
  });

  it('the v0.3 compatibility path: a v0.3 agent card makes the SDK speak v0.3 JSON-RPC', async () => {
    const assistant = await a2aAssistant({ url: undefined, agent_card_url: agent.legacyCardUrl });
    const result = await run(assistant.id, 'single legacy').done;
    expect(result.output).toBe('done: single legacy');
    expect(agent.methods[0]).toBe('message/send');
    expect(agent.methods.slice(1).every((method) => method === 'tasks/get')).toBe(true);
  });

  it('configured headers (from env) reach the agent on every request, the card included', async () => {
    const assistant = await a2aAssistant({ headers: { 'X-Agent-Token': { env: 'A2A_TOKEN' } } });
    agent.tokens.length = 0;
    const result = await run(assistant.id, 'single with token').done;
    expect(result.output).toBe('done: single with token');
    expect(agent.tokens.length).toBeGreaterThanOrEqual(3); // card, SendMessage, GetTask…
    expect(new Set(agent.tokens)).toEqual(new Set(['a2a-secret']));
  });

  it('persistent: the contextId is kept on the Kairos thread and continues the remote conversation', async () => {
    const assistant = await a2aAssistant();
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: assistant.id,
      sessionMode: 'persistent',
    });
    const fire = async (input: unknown, runNumber: number) => {
      const item = makeRun({
        assistantId: assistant.id,
        scheduleId,
        runNumber,
        trigger: 'schedule',
        scheduledFor: new Date(),
        sessionMode: 'persistent',
        onRunCompleted: 'delete',
        threadId: await scheduleThreadId(testDb.db, scheduleId),
        input,
      });
      await insertRunRow(testDb.db, item);
      const result = await executeAssistant(deps, item, new AbortController().signal, recordEvents().emit);
      return { item, result, received: agent.received.at(-1)! };
    };
    const first = await fire('single first', 1);
    const contextId = first.received.contextId;
    expect(contextId).toMatch(/\S+/);
    expect(await remoteSessionsOf(testDb.db, first.result.threadId!)).toEqual({ [assistant.id]: contextId });
    expect((await runResource(testDb.db, first.item.id)).remote_session_id).toBe(contextId);
    const second = await fire('message second', 2);
    expect(second.received.contextId).toBe(contextId);
    expect(second.result.threadId).toBe(first.result.threadId);
    expect((await runResource(testDb.db, second.item.id)).remote_session_id).toBe(contextId);
  });

  it('refuses a config with neither or both of url and agent_card_url at save time', async () => {
    const service = createAssistantService({
      db: testDb.db,
      config: agentConfig(),
      registry: createModuleRegistry([]),
    });
    const none = await rejection(service.create(localAdmin, { name: 'a', kind: 'a2a', config: {} }));
    expect(none.message).toContain('agent_card_url, url');
    const both = await rejection(
      service.create(localAdmin, {
        name: 'a',
        kind: 'a2a',
        config: { url: agent.url, agent_card_url: agent.legacyCardUrl },
      }),
    );
    expect((both.details as { field: string }).field).toBe('config.url');
  });

  it('the address guard refuses the agent at run time when private addresses are not allowed', async () => {
    const strict = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig({ allowPrivate: false }),
    });
    const assistant = await a2aAssistant();
    const before = agent.methods.length;
    const failure = await fail(
      executeAssistant(
        strict,
        makeRun({ assistantId: assistant.id, input: 'message' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(failure.kind).toBe('config');
    expect(failure.message).toContain('KAIROS_HTTP_ALLOW_HOSTS');
    expect(agent.methods.length).toBe(before);
  });
});
