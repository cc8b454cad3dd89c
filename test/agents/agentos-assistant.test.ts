import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type AgentRequest, type HttpAgentServer } from '../helpers/http-agent-server.ts';
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

/**
 * An AgentOS-shaped endpoint: `POST /agents/{id}/runs` (and `/teams/…`, `/workflows/…`) reading
 * the form fields AgentOS reads, creating a session when none is given, remembering each
 * session's messages, and answering with a RunOutput (`run_id`, `session_id`, `content`, `status`).
 */
function agentOs(server: HttpAgentServer) {
  const sessions = new Map<string, string[]>();
  let counter = 0;
  server.handle((request: AgentRequest) => {
    const match = /^\/(agents|teams|workflows)\/([^/]+)\/runs$/.exec(request.path);
    if (!match || request.method !== 'POST') return { status: 404, body: { detail: 'Not Found' } };
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return { status: 422, body: { detail: 'expected form fields' } };
    }
    const form = new URLSearchParams(request.body as string);
    const message = form.get('message');
    if (message === null)
      return { status: 422, body: { detail: [{ loc: ['body', 'message'], msg: 'Field required' }] } };
    if (form.get('stream') !== 'false')
      return { status: 400, body: { detail: 'this stand-in only answers stream=false' } };
    const sessionId = form.get('session_id') || `session-${++counter}`;
    const seen = sessions.get(sessionId) ?? [];
    seen.push(message);
    sessions.set(sessionId, seen);
    return {
      body: {
        run_id: `run-${counter}-${seen.length}`,
        agent_id: match[2],
        session_id: sessionId,
        user_id: form.get('user_id'),
        content: `${match[1]}/${match[2]} heard ${seen.join(' then ')}`,
        content_type: 'str',
        status: 'COMPLETED',
      },
    };
  });
  return sessions;
}

describe.each(databaseKinds)('agentos assistants on %s', (kind) => {
  let testDb: TestDatabase;
  let server: HttpAgentServer;
  let deps: AssistantExecutionDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    server = await startHttpAgentServer();
    deps = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig(),
      env: { AGNO_KEY: 'agno-secret' },
    });
  });
  afterAll(async () => {
    await server.close();
    await testDb.close();
  });
  beforeEach(() => {
    agentOs(server);
  });

  const agentosAssistant = (config: Record<string, unknown>) =>
    insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'agno',
      kind: 'agentos',
      config: { base_url: server.url, ...config },
    });

  it('posts the AgentOS form fields and returns the run content as output', async () => {
    const assistant = await agentosAssistant({
      agent_id: 'research-agent',
      headers: { Authorization: { env: 'AGNO_KEY' } },
    });
    const run = makeRun({ assistantId: assistant.id, input: 'summarise the news' });
    const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    expect(result.output).toBe('agents/research-agent heard summarise the news');
    const request = server.requests.at(-1)!;
    expect(request.path).toBe('/agents/research-agent/runs');
    expect(request.headers.authorization).toBe('agno-secret');
    expect(request.headers['idempotency-key']).toBe(run.id);
    const form = new URLSearchParams(request.body as string);
    expect(Object.fromEntries(form)).toEqual({
      message: 'summarise the news',
      stream: 'false',
      user_id: localAdmin.userId,
    });
  });

  it('persistent: the first run keeps the session AgentOS chose, the second sends it back', async () => {
    const assistant = await agentosAssistant({ team_id: 'ops-team', user_id: 'kairos-bot' });
    const scheduleId = await insertSchedule(testDb.db, {
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
        threadId: await scheduleThreadId(testDb.db, scheduleId),
        input,
      });
      await insertRunRow(testDb.db, run);
      const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
      return { run, result, form: new URLSearchParams(server.requests.at(-1)!.body as string) };
    };
    const first = await fire('check the queue', 1);
    expect(first.form.has('session_id')).toBe(false);
    expect(first.form.get('user_id')).toBe('kairos-bot');
    const threadId = first.result.threadId!;
    const [sessionId] = Object.values(await remoteSessionsOf(testDb.db, threadId));
    expect(sessionId).toMatch(/^session-\d+$/);
    expect((await runResource(testDb.db, first.run.id)).remote_session_id).toBe(sessionId);

    const second = await fire({ check: 'again' }, 2);
    expect(second.result.threadId).toBe(threadId);
    expect(second.form.get('session_id')).toBe(sessionId);
    expect(second.form.get('message')).toBe('{"check":"again"}');
    expect(second.result.output).toBe('teams/ops-team heard check the queue then {"check":"again"}');
    expect((await runResource(testDb.db, second.run.id)).remote_session_id).toBe(sessionId);
    expect(await remoteSessionsOf(testDb.db, threadId)).toEqual({ [assistant.id]: sessionId });
  });

  it('a stateless run sends no session id, so every run starts a new AgentOS session', async () => {
    const assistant = await agentosAssistant({ workflow_id: 'nightly' });
    const scheduleId = await insertSchedule(testDb.db, {
      ownerId: localAdmin.userId,
      assistantId: assistant.id,
      sessionMode: 'new',
    });
    for (const n of [1, 2]) {
      const run = makeRun({
        assistantId: assistant.id,
        scheduleId,
        trigger: 'schedule',
        scheduledFor: new Date(),
        sessionMode: 'new',
        onRunCompleted: 'delete',
        input: `go ${n}`,
      });
      await insertRunRow(testDb.db, run);
      const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
      expect(result.output).toBe(`workflows/nightly heard go ${n}`);
      expect(result.threadId).toBeNull();
      expect(new URLSearchParams(server.requests.at(-1)!.body as string).has('session_id')).toBe(false);
      expect((await runResource(testDb.db, run.id)).remote_session_id).toMatch(/^session-\d+$/);
    }
  });

  it('an AgentOS error status is an assistant error carrying the answer', async () => {
    server.handle(() => ({ status: 404, body: { detail: 'Agent not found' } }));
    const assistant = await agentosAssistant({ agent_id: 'missing' });
    const error = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: 'x' }),
      new AbortController().signal,
      recordEvents().emit,
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect((error as RunFailure).kind).toBe('assistant_error');
    expect((error as RunFailure).retryable).toBe(false);
    expect((error as RunFailure).message).toContain('Agent not found');
  });

  it('refuses a config without exactly one of agent_id, team_id, workflow_id at save time', async () => {
    const service = createAssistantService({
      db: testDb.db,
      config: agentConfig(),
      registry: createModuleRegistry([]),
    });
    const none = await rejection(
      service.create(localAdmin, { name: 'a', kind: 'agentos', config: { base_url: server.url } }),
    );
    expect(none.status).toBe(422);
    expect(none.message).toContain('agent_id, team_id, workflow_id');
    const two = await rejection(
      service.create(localAdmin, {
        name: 'a',
        kind: 'agentos',
        config: { base_url: server.url, agent_id: 'a', team_id: 't' },
      }),
    );
    expect((two.details as { field: string }).field).toBe('config.team_id');
    const secret = await rejection(
      service.create(localAdmin, {
        name: 'a',
        kind: 'agentos',
        config: { base_url: server.url, agent_id: 'a', headers: { Authorization: 'Bearer abc' } },
      }),
    );
    expect(secret.message).toContain('{"env":"NAME"}');
  });

  it('the address guard applies: a private base_url is refused at save time and at run time', async () => {
    const guarded = createAssistantService({
      db: testDb.db,
      config: agentConfig({ allowPrivate: false }),
      registry: createModuleRegistry([]),
    });
    const error = await rejection(
      guarded.create(localAdmin, { name: 'a', kind: 'agentos', config: { base_url: server.url, agent_id: 'x' } }),
    );
    expect((error.details as { field: string }).field).toBe('config.base_url');
    const strict = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig({ allowPrivate: false }),
    });
    const assistant = await agentosAssistant({ agent_id: 'x' });
    const before = server.requests.length;
    const failure = await executeAssistant(
      strict,
      makeRun({ assistantId: assistant.id }),
      new AbortController().signal,
      recordEvents().emit,
    ).then(
      () => undefined,
      (caught: unknown) => caught as RunFailure,
    );
    expect(failure?.kind).toBe('config');
    expect(server.requests.length).toBe(before);
  });
});
