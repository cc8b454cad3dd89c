import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService, type AssistantService } from '../../src/agents/assistant-service.ts';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { findThread } from '../../src/store/threads.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { agentConfig, insertSchedule, localAdmin, makeRun, recordEvents, rejection, silentLogger } from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

describe('http request shaping: method, body templates, form, query, JSON Pointer output', () => {
  let testDb: TestDatabase;
  let agent: HttpAgentServer;
  let deps: AssistantExecutionDeps;
  let assistants: AssistantService;

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    agent = await startHttpAgentServer();
    deps = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig(),
      env: { HOOK_TOKEN: 'secret-1' },
    });
    assistants = createAssistantService({ db: testDb.db, config: agentConfig(), registry: createModuleRegistry([]) });
  });
  afterAll(async () => {
    await agent.close();
    await testDb.close();
  });

  const create = (config: Record<string, unknown>) =>
    assistants.create(localAdmin, {
      name: `shaped-${Math.random()}`,
      kind: 'http',
      config: { url: `${agent.url}/hook`, ...config },
    });

  it('renders a JSON body template: whole-string placeholders keep their type, embedded ones become text', async () => {
    agent.handle(() => ({ body: { ok: true } }));
    const assistant = await create({
      method: 'PUT',
      body: {
        text: 'Report for {{input.region}} (run {{run.number}}, {{date}}, {{schedule.name}})',
        data: '{{input}}',
        limit: '{{input.limit}}',
        missing: '{{input.nope}}',
        run: { id: '{{run.id}}', at: '{{run.scheduled_for}}', thread: '{{thread.id}}' },
        list: ['{{run.number}}', 'literal'],
      },
    });
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: assistant.id,
      name: 'weekly-report',
    });
    await testDb.db.query("UPDATE schedules SET timezone = 'Asia/Tokyo' WHERE id = $1", [scheduleId]);
    const run = makeRun({
      assistantId: assistant.id,
      scheduleId,
      // 20:00 UTC on the 9th is already the 10th in Tokyo: {{date}} follows the schedule's zone.
      scheduledFor: new Date('2026-03-09T20:00:00Z'),
      runNumber: 7,
      trigger: 'schedule',
      input: { region: 'emea', limit: 5 },
    });
    await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    const request = agent.requests.at(-1)!;
    expect(request.method).toBe('PUT');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe(run.id);
    expect(request.body).toEqual({
      text: 'Report for emea (run 7, 2026-03-10, weekly-report)',
      data: { region: 'emea', limit: 5 },
      limit: 5,
      missing: null,
      run: { id: run.id, at: '2026-03-09T20:00:00.000Z', thread: null },
      list: [7, 'literal'],
    });
  });

  it('sends a form body (a Slack- or Zapier-style webhook) and templated query parameters, headers from env', async () => {
    agent.handle(() => ({ body: 'ok' }));
    const assistant = await create({
      format: 'form',
      body: { text: 'Hello {{input.name}}', payload: '{{input}}', n: '{{run.number}}' },
      query: { source: 'kairos', run: '{{run.id}}' },
      headers: { 'X-Hook-Token': { env: 'HOOK_TOKEN' } },
    });
    const run = makeRun({ assistantId: assistant.id, input: { name: 'Ada & Bob' }, runNumber: 3 });
    const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    expect(result.output).toBe('ok');
    const request = agent.requests.at(-1)!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['x-hook-token']).toBe('secret-1');
    const url = new URL(request.path, agent.url);
    expect(url.pathname).toBe('/hook');
    expect(url.searchParams.get('source')).toBe('kairos');
    expect(url.searchParams.get('run')).toBe(run.id);
    const form = new URLSearchParams(request.body as string);
    expect(form.get('text')).toBe('Hello Ada & Bob');
    expect(JSON.parse(form.get('payload')!)).toEqual({ name: 'Ada & Bob' });
    expect(form.get('n')).toBe('3');
  });

  it('GET sends no body and puts the values in the query', async () => {
    agent.handle(() => ({
      body: {
        items: [
          { id: 1, title: 'first' },
          { id: 2, title: 'second' },
        ],
      },
    }));
    const assistant = await create({ method: 'GET', query: { q: '{{input.term}}' }, output: '/items/1/title' });
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: { term: 'a b' } }),
      new AbortController().signal,
      recordEvents().emit,
    );
    const request = agent.requests.at(-1)!;
    expect(request.method).toBe('GET');
    expect(request.body).toBeNull();
    expect(new URL(request.path, agent.url).searchParams.get('q')).toBe('a b');
    expect(result.output).toBe('second');
  });

  it('output: a JSON Pointer picks the run output out of the answer, with ~1 and ~0 escapes', async () => {
    agent.handle(() => ({ body: { 'a/b': { 'm~n': ['x', { deep: true }] } } }));
    const assistant = await create({ output: '/a~1b/m~0n/1' });
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id }),
      new AbortController().signal,
      recordEvents().emit,
    );
    expect(result.output).toEqual({ deep: true });
  });

  it('output: a pointer the answer does not have fails the run, naming the missing part', async () => {
    agent.handle(() => ({ body: { data: { text: 'x' } } }));
    const assistant = await create({ output: '/data/summary' });
    const error = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id }),
      new AbortController().signal,
      recordEvents().emit,
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect((error as RunFailure).kind).toBe('assistant_error');
    expect((error as RunFailure).retryable).toBe(false);
    expect((error as RunFailure).message).toContain('/data/summary');
  });

  it('without body, method or format the request is unchanged (Kairos run body, POST, JSON)', async () => {
    agent.handle(() => ({ body: { ok: 1 } }));
    const assistant = await create({});
    const run = makeRun({ assistantId: assistant.id, input: 'hi' });
    await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    const request = agent.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.body).toEqual({
      run_id: run.id,
      schedule_id: null,
      scheduled_for: null,
      trigger: 'api',
      run_number: null,
      attempt: 1,
      thread_id: null,
      input: 'hi',
    });
  });

  it('{{thread.id}} and {{history}} follow the run thread', async () => {
    agent.handle(() => ({ body: { reply: 'noted' } }));
    const assistant = await create({
      body: { thread: '{{thread.id}}', history: '{{history}}', msg: '{{input}}' },
      output: '/reply',
    });
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: assistant.id,
      sessionMode: 'persistent',
    });
    const fire = async (input: string, threadId: string | null) =>
      executeAssistant(
        deps,
        makeRun({
          assistantId: assistant.id,
          scheduleId,
          sessionMode: 'persistent',
          onRunCompleted: 'keep',
          threadId,
          input,
          trigger: 'schedule',
          scheduledFor: new Date(),
        }),
        new AbortController().signal,
        recordEvents().emit,
      );
    const first = await fire('one', null);
    expect(await findThread(testDb.db, first.threadId!)).toBeDefined();
    await fire('two', first.threadId!);
    const request = agent.requests.at(-1)!;
    expect(request.body).toEqual({
      thread: first.threadId,
      history: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'noted' },
      ],
      msg: 'two',
    });
  });

  it.each([
    [{ body: { text: 'Hi {{inptu.name}}' } }, 'config.body.text', '{{inptu.name}}'],
    [{ body: ['ok', { deep: '{{run.nmuber}}' }] }, 'config.body.1.deep', '{{run.nmuber}}'],
    [{ query: { q: '{{whatever}}' } }, 'config.query.q', '{{whatever}}'],
    [{ output: 'data/text' }, 'config.output', 'JSON Pointer'],
    [{ method: 'GET', body: { a: 1 } }, 'config.body', 'GET'],
    [{ method: 'DELETE' }, 'config.method', ''],
    [{ format: 'form', body: 'text' }, 'config.body', 'form body'],
  ])('refuses %j at save time (422 naming %s)', async (config, field, words) => {
    const before = (await assistants.list(localAdmin, { limit: 1000 })).total;
    const error = await rejection(create(config));
    expect(error.status).toBe(422);
    expect(error.code).toBe('invalid_request');
    expect((error.details as { field?: string }).field).toBe(field);
    expect(error.message).toContain(words);
    expect((await assistants.list(localAdmin, { limit: 1000 })).total).toBe(before);
  });
});
