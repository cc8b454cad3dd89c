import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAssistantExecution,
  executeAssistant,
  type AssistantExecutionDeps,
} from '../../src/agents/execute-assistant.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { startA2AAgentServer, type A2AAgentServer } from '../helpers/a2a-agent-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { agentConfig, localAdmin, makeRun, recordEvents, silentLogger } from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

/**
 * The `a2a` kind over the HTTP+JSON (REST) transport: an agent card that declares only
 * `HTTP+JSON` (v1.0), or a v0.3 card with `preferredTransport: "HTTP+JSON"`, served by
 * @a2a-js/sdk's own `restHandler`. The transport is chosen by the SDK client from the card.
 */
describe('a2a assistants over HTTP+JSON (REST), against an @a2a-js/sdk server', () => {
  let testDb: TestDatabase;
  let agent: A2AAgentServer;
  let deps: AssistantExecutionDeps;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    agent = await startA2AAgentServer();
    deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), env: {} });
  });
  afterAll(async () => {
    await agent.close();
    await testDb.close();
  });
  beforeEach(() => {
    agent.methods.length = 0;
  });

  const restAssistant = (cardUrl: string) =>
    insertAssistant(testDb.db, {
      ownerId: localAdmin.userId,
      name: 'a2a-rest',
      kind: 'a2a',
      config: { agent_card_url: cardUrl, poll_interval_s: 0.05 },
    });
  const run = (assistantId: string, input: unknown, signal = new AbortController().signal) => {
    const trace = recordEvents();
    return { trace, done: executeAssistant(deps, makeRun({ assistantId, input }), signal, trace.emit) };
  };

  it('v1.0 HTTP+JSON: a Message answer is the output; JSON input arrives as text and a data part', async () => {
    const assistant = await restAssistant(agent.restCardUrl);
    const result = await run(assistant.id, { region: 'emea' }).done;
    expect(result.output).toEqual(['echo: {"region":"emea"}', { region: 'emea' }]);
    expect(agent.received.at(-1)).toMatchObject({ text: '{"region":"emea"}', data: { region: 'emea' } });
    expect(agent.methods).toEqual(['POST /message:send']);
  });

  it('v1.0 HTTP+JSON: a Task that completes later is polled with GET /tasks/{id}; its artifacts are the output', async () => {
    const assistant = await restAssistant(agent.restCardUrl);
    const { done, trace } = run(assistant.id, 'later over rest');
    const result = await done;
    expect(result.output).toEqual({
      artifacts: [
        { artifact_id: expect.any(String), name: 'summary', description: null, parts: ['all systems nominal'] },
        { artifact_id: expect.any(String), name: 'figures', description: null, parts: [{ cpu: 0.4 }] },
      ],
    });
    const taskId = (trace.events.find((event) => event.kind === 'a2a.task.finished')?.data as { task_id: string })
      .task_id;
    expect(agent.methods[0]).toBe('POST /message:send');
    expect(agent.methods.length).toBeGreaterThan(1);
    expect(agent.methods.slice(1).every((method) => method === `GET /tasks/${taskId}`)).toBe(true);
  });

  it('v1.0 HTTP+JSON: cancelling the run cancels the remote task (POST /tasks/{id}:cancel)', async () => {
    const assistant = await restAssistant(agent.restCardUrl);
    const controller = new AbortController();
    const hung = agent.hanging();
    const { done } = run(assistant.id, 'hang over rest', controller.signal);
    const taskId = await hung;
    controller.abort(new RunFailure('cancelled', 'cancelled on request', { retryable: false }));
    const failure = await done.then(
      () => undefined,
      (caught: unknown) => caught as RunFailure,
    );
    expect(failure?.kind).toBe('cancelled');
    expect(agent.cancelRequests).toContain(taskId);
    expect(agent.methods).toContain(`POST /tasks/${taskId}:cancel`);
  });

  it('v0.3 card with preferredTransport HTTP+JSON: the SDK speaks v0.3 REST (/v1/message:send)', async () => {
    const assistant = await restAssistant(agent.legacyRestCardUrl);
    const result = await run(assistant.id, 'single legacy rest').done;
    expect(result.output).toBe('done: single legacy rest');
    expect(agent.methods[0]).toBe('POST /v1/message:send');
    expect(agent.methods.slice(1).every((method) => method.startsWith('GET /v1/tasks/'))).toBe(true);
  });
});
