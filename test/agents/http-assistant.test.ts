import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { agentConfig, makeRun, recordEvents, silentLogger } from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

describe('http assistants against a recording agent', () => {
  let testDb: TestDatabase;
  let agent: HttpAgentServer;
  let deps: AssistantExecutionDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    agent = await startHttpAgentServer();
    deps = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig({ allowPrivate: false, allowHosts: ['127.0.0.1'] }),
      env: { AGENT_TOKEN: 'tok-abc' },
    });
  });
  afterAll(async () => {
    await agent.close();
    await testDb.close();
  });
  beforeEach(() => {
    agent.handle((request) => ({ body: { ok: true, echo: (request.body as { input: unknown }).input } }));
  });

  const httpAssistant = (config: Record<string, unknown> = {}) =>
    insertAssistant(testDb.db, {
      ownerId: '00000000-0000-0000-0000-000000000001',
      name: 'remote',
      kind: 'http',
      config: { url: `${agent.url}/agent/run`, ...config },
    });

  async function failure(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('POSTs the run with env-resolved headers and the run id as idempotency key', async () => {
    const assistant = await httpAssistant({ headers: { Authorization: { env: 'AGENT_TOKEN' }, 'X-Team': 'ops' } });
    const run = makeRun({ assistantId: assistant.id, input: { topic: 'sales' }, trigger: 'manual' });
    const result = await executeAssistant(deps, run, new AbortController().signal, recordEvents().emit);
    expect(result.output).toEqual({ ok: true, echo: { topic: 'sales' } });
    const request = agent.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/agent/run');
    expect(request.headers.authorization).toBe('tok-abc');
    expect(request.headers['x-team']).toBe('ops');
    expect(request.headers['idempotency-key']).toBe(run.id);
    expect(request.body).toEqual({
      run_id: run.id,
      schedule_id: null,
      scheduled_for: null,
      trigger: 'manual',
      run_number: null,
      attempt: 1,
      thread_id: null,
      input: { topic: 'sales' },
    });
  });

  it('returns a text answer as text', async () => {
    agent.handle(() => ({ body: 'all good' }));
    const assistant = await httpAssistant();
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id }),
      new AbortController().signal,
      recordEvents().emit,
    );
    expect(result.output).toBe('all good');
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [400, false],
    [404, false],
  ])('an answer %i is an assistant_error (retryable: %s) with the body excerpt', async (status, retryable) => {
    agent.handle(() => ({ status, body: { detail: `agent says ${status}` } }));
    const assistant = await httpAssistant();
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: assistant.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error.kind).toBe('assistant_error');
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(`answered ${status}`);
    expect(error.message).toContain(`agent says ${status}`);
  });

  it('does not follow redirects', async () => {
    agent.handle(() => ({ status: 302, headers: { location: 'http://169.254.169.254/' }, body: '' }));
    const assistant = await httpAssistant();
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: assistant.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error.message).toContain('302 (redirects are not followed)');
    expect(error.retryable).toBe(false);
  });

  it('times out after timeout_s with a retryable timeout', async () => {
    agent.handle(() => ({ hang: true }));
    const assistant = await httpAssistant({ timeout_s: 0.2 });
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: assistant.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it('a connection refused is a retryable assistant_error', async () => {
    const closed = await startHttpAgentServer();
    const url = `${closed.url}/gone`;
    await closed.close();
    const assistant = await httpAssistant({ url });
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: assistant.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error.kind).toBe('assistant_error');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a missing header variable is a config failure', async () => {
    const assistant = await httpAssistant({ headers: { Authorization: { env: 'NOT_SET_ANYWHERE' } } });
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: assistant.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error.kind).toBe('config');
    expect(error.message).toContain('config.headers.Authorization: environment variable NOT_SET_ANYWHERE is not set');
  });

  it('refuses a private destination at call time when not allowed', async () => {
    const strict = createAssistantExecution({
      db: testDb.db,
      logger: silentLogger,
      config: agentConfig({ allowPrivate: false }),
    });
    const assistant = await httpAssistant();
    const before = agent.requests.length;
    const error = await failure(
      executeAssistant(
        strict,
        makeRun({ assistantId: assistant.id }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(error.kind).toBe('config');
    expect(error.message).toContain('127.0.0.1 is a loopback address');
    expect(agent.requests.length).toBe(before);
  });

  it('skips runs of inactive or missing assistants with reason config', async () => {
    const inactive = await insertAssistant(testDb.db, {
      ownerId: '00000000-0000-0000-0000-000000000001',
      name: 'sleeping',
      kind: 'http',
      config: { url: `${agent.url}/x` },
      status: 'inactive',
    });
    const error = await failure(
      executeAssistant(deps, makeRun({ assistantId: inactive.id }), new AbortController().signal, recordEvents().emit),
    );
    expect(error).toMatchObject({ kind: 'config', skip: true, retryable: false });
    expect(error.message).toContain('"sleeping" is inactive');
    const missing = await failure(
      executeAssistant(
        deps,
        makeRun({ assistantId: '00000000-0000-0000-0000-00000000ffff' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(missing).toMatchObject({ kind: 'config', skip: true });
  });
});
