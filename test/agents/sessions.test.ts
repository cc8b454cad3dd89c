import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { type Assistant } from '../../src/agents/runtime.ts';
import { createThreadService } from '../../src/agents/thread-service.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { recentMessages } from '../../src/store/messages.ts';
import { findThread, insertThread } from '../../src/store/threads.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import {
  agentConfig,
  countThreads,
  insertSchedule,
  insertUser,
  localAdmin,
  makeRun,
  recordEvents,
  scheduleThreadId,
  silentLogger,
} from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

describe.each(databaseKinds)('sessions on %s', (kind) => {
  let testDb: TestDatabase;
  let provider: OpenAiServer;
  let agent: HttpAgentServer;
  let deps: AssistantExecutionDeps;
  let llm: Assistant;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    provider = await startOpenAiServer();
    agent = await startHttpAgentServer();
    deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), env: { KEY: 'k' } });
    llm = await insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'monitor',
      kind: 'llm',
      config: {
        base_url: provider.baseUrl,
        model: 'watcher',
        system_prompt: 'You watch prices.',
        api_key: { env: 'KEY' },
      },
    });
  });
  afterAll(async () => {
    await agent.close();
    await provider.close();
    await testDb.close();
  });
  beforeEach(() => {
    provider.setMode({ kind: 'answer', reply: (request) => `seen ${request.body.messages!.at(-1)!.content}` });
  });

  /** One fire of a schedule, as the worker would hand it over after reading the schedule row. */
  async function fire(
    scheduleId: string,
    runNumber: number,
    input: unknown,
    extra: { sessionMode: 'new' | 'persistent'; onRunCompleted?: 'delete' | 'keep'; assistant?: Assistant },
  ) {
    const trace = recordEvents();
    const run = makeRun({
      assistantId: (extra.assistant ?? llm).id,
      scheduleId,
      scheduledFor: new Date(),
      trigger: 'schedule',
      runNumber,
      threadId: await scheduleThreadId(testDb.db, scheduleId),
      sessionMode: extra.sessionMode,
      onRunCompleted: extra.onRunCompleted ?? 'delete',
      input,
    });
    const result = await executeAssistant(deps, run, new AbortController().signal, trace.emit);
    return { run, result, events: trace.events };
  }

  it('persistent: three fires continue one thread and the third request carries the first two exchanges', async () => {
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: llm.id,
      sessionMode: 'persistent',
    });
    const first = await fire(scheduleId, 1, 'price is 10', { sessionMode: 'persistent' });
    const threadId = first.result.threadId!;
    expect(threadId).toEqual(expect.any(String));
    expect(await scheduleThreadId(testDb.db, scheduleId)).toBe(threadId);
    expect(first.events.map((e) => e.kind)).toContain('thread.created');

    const second = await fire(scheduleId, 2, 'price is 12', { sessionMode: 'persistent' });
    const third = await fire(scheduleId, 3, 'price is 9', { sessionMode: 'persistent' });
    expect(second.result.threadId).toBe(threadId);
    expect(third.result.threadId).toBe(threadId);

    const requests = provider.requests.slice(-3);
    expect(requests[0]!.body.messages).toEqual([
      { role: 'system', content: 'You watch prices.' },
      { role: 'user', content: 'price is 10' },
    ]);
    expect(requests[2]!.body.messages).toEqual([
      { role: 'system', content: 'You watch prices.' },
      { role: 'user', content: 'price is 10' },
      { role: 'assistant', content: 'seen price is 10' },
      { role: 'user', content: 'price is 12' },
      { role: 'assistant', content: 'seen price is 12' },
      { role: 'user', content: 'price is 9' },
    ]);
    expect(provider.shapeErrors).toEqual([]);

    const stored = await recentMessages(testDb.db, threadId, 100);
    expect(stored.map((m) => [m.seq, m.role, m.content, m.runId])).toEqual([
      [1, 'user', 'price is 10', first.run.id],
      [2, 'assistant', 'seen price is 10', first.run.id],
      [3, 'user', 'price is 12', second.run.id],
      [4, 'assistant', 'seen price is 12', second.run.id],
      [5, 'user', 'price is 9', third.run.id],
      [6, 'assistant', 'seen price is 9', third.run.id],
    ]);
    expect((await findThread(testDb.db, threadId))!.status).toBe('idle');
  });

  it('new: no history, and the thread is gone after the run (its id stays in the trace)', async () => {
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: llm.id,
      sessionMode: 'new',
    });
    const threadsBefore = await countThreads(testDb.db);
    const first = await fire(scheduleId, 1, 'a', { sessionMode: 'new' });
    const second = await fire(scheduleId, 2, 'b', { sessionMode: 'new' });
    expect(provider.requests.at(-1)!.body.messages).toEqual([
      { role: 'system', content: 'You watch prices.' },
      { role: 'user', content: 'b' },
    ]);
    expect(first.result.threadId).toBeNull();
    expect(second.result.threadId).toBeNull();
    expect(await countThreads(testDb.db)).toBe(threadsBefore);
    const created = first.events.find((e) => e.kind === 'thread.created')!.data as { thread_id: string };
    expect(first.events.find((e) => e.kind === 'thread.deleted')?.data).toMatchObject({ thread_id: created.thread_id });
    expect(await scheduleThreadId(testDb.db, scheduleId)).toBeNull();
  });

  it('new with on_run_completed keep: each run keeps its own thread with its exchange', async () => {
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: llm.id,
      sessionMode: 'new',
      onRunCompleted: 'keep',
    });
    const first = await fire(scheduleId, 1, 'x', { sessionMode: 'new', onRunCompleted: 'keep' });
    const second = await fire(scheduleId, 2, 'y', { sessionMode: 'new', onRunCompleted: 'keep' });
    expect(first.result.threadId).not.toBe(second.result.threadId);
    expect(provider.requests.at(-1)!.body.messages).toHaveLength(2);
    for (const [{ result }, input] of [
      [first, 'x'],
      [second, 'y'],
    ] as const) {
      const messages = await recentMessages(testDb.db, result.threadId!, 10);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['user', input],
        ['assistant', `seen ${input}`],
      ]);
    }
  });

  it('a failed run appends nothing, marks the thread error, and the next run does not see it', async () => {
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: llm.id,
      sessionMode: 'persistent',
    });
    const ok = await fire(scheduleId, 1, 'one', { sessionMode: 'persistent' });
    provider.setMode({ kind: 'fail', status: 500, message: 'overloaded' });
    await expect(fire(scheduleId, 2, 'two', { sessionMode: 'persistent' })).rejects.toBeInstanceOf(RunFailure);
    expect((await findThread(testDb.db, ok.result.threadId!))!.status).toBe('error');
    provider.setMode({ kind: 'answer' });
    await fire(scheduleId, 3, 'three', { sessionMode: 'persistent' });
    expect(provider.requests.at(-1)!.body.messages!.map((m) => m.content)).toEqual([
      'You watch prices.',
      'one',
      'seen one',
      'three',
    ]);
    expect((await findThread(testDb.db, ok.result.threadId!))!.status).toBe('idle');
  });

  it('history is bounded by threadMaxMessages (oldest dropped from what is sent, not from storage)', async () => {
    const bounded = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig({ threadMaxMessages: 3 }),
      env: { KEY: 'k' },
    });
    const thread = await insertThread(testDb.db, { ownerId: localAdmin.userId });
    for (let i = 1; i <= 4; i++) {
      await executeAssistant(
        bounded,
        makeRun({ assistantId: llm.id, threadId: thread.id, input: `m${i}` }),
        new AbortController().signal,
        recordEvents().emit,
      );
    }
    expect(provider.requests.at(-1)!.body.messages!.map((m) => m.content)).toEqual([
      'You watch prices.',
      'seen m2',
      'm3',
      'seen m3',
      'm4',
    ]);
    expect(await recentMessages(testDb.db, thread.id, 100)).toHaveLength(8);
  });

  it('thread-bound schedule: runs continue the given thread; deleting the thread deletes its schedules', async () => {
    const threads = createThreadService({
      db: testDb.db,
      assistants: createAssistantService({ db: testDb.db, config: agentConfig(), registry: createModuleRegistry([]) }),
      threadMaxMessages: 200,
    });
    const thread = await threads.create(localAdmin, { assistant_id: llm.id });
    await threads.appendMessages(localAdmin, thread.id, [
      { role: 'user', content: 'context: watch EUR' },
      { role: 'assistant', content: 'ok' },
    ]);
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: llm.id,
      sessionMode: 'persistent',
      threadId: thread.id,
    });
    const fired = await fire(scheduleId, 1, 'EUR is 1.1', { sessionMode: 'persistent' });
    expect(fired.result.threadId).toBe(thread.id);
    expect(provider.requests.at(-1)!.body.messages!.map((m) => m.content)).toEqual([
      'You watch prices.',
      'context: watch EUR',
      'ok',
      'EUR is 1.1',
    ]);
    expect(await threads.delete(localAdmin, thread.id)).toEqual({ schedulesDeleted: 1 });
    const { rows } = await testDb.db.query('SELECT id FROM schedules WHERE id = $1', [scheduleId]);
    expect(rows).toEqual([]);
  });

  it('api runs: on a thread they continue it; without one they are stateless', async () => {
    const thread = await insertThread(testDb.db, { ownerId: localAdmin.userId, assistantId: llm.id });
    const first = await executeAssistant(
      deps,
      makeRun({ assistantId: llm.id, threadId: thread.id, input: 'hello' }),
      new AbortController().signal,
      recordEvents().emit,
    );
    await executeAssistant(
      deps,
      makeRun({ assistantId: llm.id, threadId: thread.id, input: 'again' }),
      new AbortController().signal,
      recordEvents().emit,
    );
    expect(first.threadId).toBe(thread.id);
    expect(provider.requests.at(-1)!.body.messages!.map((m) => m.content)).toEqual([
      'You watch prices.',
      'hello',
      'seen hello',
      'again',
    ]);
    const threadsBefore = await countThreads(testDb.db);
    const stateless = await executeAssistant(
      deps,
      makeRun({ assistantId: llm.id, input: 'solo' }),
      new AbortController().signal,
      recordEvents().emit,
    );
    expect(stateless.threadId).toBeNull();
    expect(await countThreads(testDb.db)).toBe(threadsBefore);
  });

  it('a run executed again (same run id) records its exchange once and does not see itself', async () => {
    const thread = await insertThread(testDb.db, { ownerId: localAdmin.userId });
    const run = makeRun({ assistantId: llm.id, threadId: thread.id, input: 'once' });
    await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    await executeAssistant(deps, { ...run, attempt: 2 }, new AbortController().signal, recordEvents().emit);
    expect(provider.requests.at(-1)!.body.messages!.map((m) => m.content)).toEqual(['You watch prices.', 'once']);
    expect(await recentMessages(testDb.db, thread.id, 10)).toHaveLength(2);
  });

  it('the http kind receives the history in its body when the thread has messages', async () => {
    const http = await insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'remote',
      kind: 'http',
      config: { url: `${agent.url}/run` },
    });
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: http.id,
      sessionMode: 'persistent',
    });
    const first = await fire(scheduleId, 1, 'ping', { sessionMode: 'persistent', assistant: http });
    await fire(scheduleId, 2, 'pong', { sessionMode: 'persistent', assistant: http });
    const [one, two] = agent.requests.slice(-2);
    expect(one!.body).not.toHaveProperty('history');
    expect(one!.body).toMatchObject({ thread_id: first.result.threadId });
    expect(two!.body).toMatchObject({
      thread_id: first.result.threadId,
      history: [
        { role: 'user', content: 'ping' },
        { role: 'assistant', content: { ok: true, echo: 'ping' } },
      ],
    });
  });

  it('new with delete: a module run is stateless (no temporary thread written and deleted around it)', async () => {
    const seen: Array<string | null> = [];
    const module = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig(),
      registry: createModuleRegistry([
        { id: 'seen', name: 'seen', run: (_input, ctx) => (seen.push(ctx.run.threadId), ctx.history.length) },
      ]),
    });
    const assistant = await insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'stateless module',
      kind: 'module',
      config: { module: 'seen' },
    });
    const scheduleId = await insertSchedule(testDb.db, { ownerId: localAdmin.userId, assistantId: assistant.id });
    const threadsBefore = await countThreads(testDb.db);
    const trace = recordEvents();
    const result = await executeAssistant(
      module,
      makeRun({
        assistantId: assistant.id,
        scheduleId,
        trigger: 'schedule',
        runNumber: 1,
        sessionMode: 'new',
        onRunCompleted: 'delete',
        input: 'x',
      }),
      new AbortController().signal,
      trace.emit,
    );
    expect(result).toMatchObject({ output: 0, threadId: null });
    expect(seen).toEqual([null]);
    expect(trace.events.map((e) => e.kind)).not.toContain('thread.created');
    expect(await countThreads(testDb.db)).toBe(threadsBefore);
  });

  it('concurrent first fires of a persistent schedule bind exactly one thread', async () => {
    const module = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig(),
      registry: createModuleRegistry([{ id: 'count', name: 'count', run: (_input, ctx) => ctx.history.length }]),
    });
    const counter = await insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'counter',
      kind: 'module',
      config: { module: 'count' },
    });
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: counter.id,
      sessionMode: 'persistent',
    });
    const threadsBefore = await countThreads(testDb.db);
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        executeAssistant(
          module,
          makeRun({
            assistantId: counter.id,
            scheduleId,
            trigger: 'schedule',
            runNumber: n,
            sessionMode: 'persistent',
            onRunCompleted: 'delete',
            input: n,
          }),
          new AbortController().signal,
          recordEvents().emit,
        ),
      ),
    );
    const bound = await scheduleThreadId(testDb.db, scheduleId);
    expect(new Set(results.map((r) => r.threadId))).toEqual(new Set([bound]));
    expect(await countThreads(testDb.db)).toBe(threadsBefore + 1);
    expect(await recentMessages(testDb.db, bound!, 100)).toHaveLength(8);
  });

  it("a fire whose owner lost access to the assistant is skipped; another user's thread is refused", async () => {
    const member = await insertUser(testDb.db, 'member');
    const other = await insertUser(testDb.db, 'member');
    const theirs = await insertAssistant(testDb.db, {
      ownerId: other.userId,
      name: 'theirs',
      kind: 'llm',
      config: llm.config,
    });
    const skipped = await executeAssistant(
      deps,
      makeRun({ assistantId: theirs.id, ownerId: member.userId }),
      new AbortController().signal,
      recordEvents().emit,
    ).catch((e: unknown) => e);
    expect(skipped).toMatchObject({ kind: 'config', skip: true });
    const foreignThread = await insertThread(testDb.db, { ownerId: other.userId });
    const own = await insertAssistant(testDb.db, {
      ownerId: member.userId,
      name: 'own',
      kind: 'llm',
      config: llm.config,
    });
    const refused = await executeAssistant(
      deps,
      makeRun({ assistantId: own.id, ownerId: member.userId, threadId: foreignThread.id }),
      new AbortController().signal,
      recordEvents().emit,
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'config', skip: true });
    expect((refused as Error).message).toContain('belongs to another user');
    await testDb.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [member.userId]);
    const disabled = await executeAssistant(
      deps,
      makeRun({ assistantId: own.id, ownerId: member.userId }),
      new AbortController().signal,
      recordEvents().emit,
    ).catch((e: unknown) => e);
    expect(disabled).toMatchObject({ kind: 'config', skip: true });
    expect((disabled as Error).message).toContain('is disabled');
  });
});
