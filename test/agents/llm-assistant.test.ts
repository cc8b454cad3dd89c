import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { agentConfig, makeRun, recordEvents, silentLogger } from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

describe('llm assistants against an OpenAI-compatible server', () => {
  let testDb: TestDatabase;
  let provider: OpenAiServer;
  let deps: AssistantExecutionDeps;
  const env = { PROVIDER_KEY: 'sk-test-123' };

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite');
    provider = await startOpenAiServer();
    deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), env });
  });
  afterAll(async () => {
    await provider.close();
    await testDb.close();
  });
  beforeEach(() => {
    provider.setMode({ kind: 'answer' });
  });

  async function llmAssistant(config: Record<string, unknown> = {}) {
    return insertAssistant(testDb.db, {
      ownerId: '00000000-0000-0000-0000-000000000001',
      name: 'writer',
      kind: 'llm',
      config: { base_url: provider.baseUrl, model: 'test-model', api_key: { env: 'PROVIDER_KEY' }, ...config },
    });
  }

  async function failure(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('sends model, system prompt, the input as the user message, temperature and max_tokens; records usage', async () => {
    const assistant = await llmAssistant({ system_prompt: 'You write reports.', temperature: 0.2, max_tokens: 64 });
    const trace = recordEvents();
    const result = await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: 'Summarise the day' }),
      new AbortController().signal,
      trace.emit,
    );
    expect(result.output).toBe('reply from test-model to 2 messages');
    expect(result.usage).toEqual({ prompt_tokens: 20, completion_tokens: 5, total_tokens: 25, model: 'test-model' });
    const request = provider.requests.at(-1)!;
    expect(request.body).toEqual({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You write reports.' },
        { role: 'user', content: 'Summarise the day' },
      ],
      temperature: 0.2,
      max_tokens: 64,
    });
    expect(request.headers.authorization).toBe('Bearer sk-test-123');
    expect(provider.shapeErrors).toEqual([]);
    expect(trace.events.map((event) => event.kind)).toEqual(['llm.request', 'llm.response']);
    expect(JSON.stringify(trace.events)).not.toContain('sk-test-123');
  });

  it('sends non-string input as JSON', async () => {
    const assistant = await llmAssistant();
    await executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: { city: 'Oslo', days: 3 } }),
      new AbortController().signal,
      recordEvents().emit,
    );
    expect(provider.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: '{"city":"Oslo","days":3}' }]);
  });

  it('turns 401 into a non-retryable assistant_error with the provider message', async () => {
    provider.setMode({ kind: 'fail', status: 401, message: 'Incorrect API key provided' });
    const assistant = await llmAssistant();
    const error = await failure(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: 'x' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(error.kind).toBe('assistant_error');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('401: Incorrect API key provided');
    expect(error.message).not.toContain('sk-test-123');
  });

  it.each([429, 500, 503])('turns %i into a retryable assistant_error', async (status) => {
    provider.setMode({
      kind: 'fail',
      status,
      message: `provider says ${status}`,
      headers: status === 429 ? { 'retry-after': '7' } : {},
    });
    const assistant = await llmAssistant();
    const error = await failure(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: 'x' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(error.kind).toBe('assistant_error');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`${status}: provider says ${status}`);
    if (status === 429) expect(error.details).toMatchObject({ status: 429, retry_after: '7' });
  });

  it('a hanging provider fails with a retryable timeout after timeout_s', async () => {
    provider.setMode({ kind: 'hang' });
    const assistant = await llmAssistant({ timeout_s: 0.3 });
    const started = Date.now();
    const error = await failure(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: 'x' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('0.3s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a hanging provider is abandoned when the run's own signal aborts, with the run's reason", async () => {
    provider.setMode({ kind: 'hang' });
    const assistant = await llmAssistant();
    const controller = new AbortController();
    const reason = new RunFailure('cancelled', 'cancelled by the user', { retryable: false });
    const before = provider.requests.length;
    const running = executeAssistant(
      deps,
      makeRun({ assistantId: assistant.id, input: 'x' }),
      controller.signal,
      recordEvents().emit,
    );
    await vi.waitFor(() => expect(provider.requests.length).toBe(before + 1));
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
  });

  it('a missing key variable is a config failure naming the variable, not its value', async () => {
    const assistant = await llmAssistant({ api_key: { env: 'MISSING_PROVIDER_KEY' } });
    const error = await failure(
      executeAssistant(
        deps,
        makeRun({ assistantId: assistant.id, input: 'x' }),
        new AbortController().signal,
        recordEvents().emit,
      ),
    );
    expect(error.kind).toBe('config');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('MISSING_PROVIDER_KEY');
  });
});
