import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { findRun } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { createApiHarness, errorOf, type ApiHarness } from '../api/harness.ts';
import {
  lastMessage,
  startChatToolsServer,
  type ChatToolsServer,
  type ToolChatRequest,
} from '../helpers/chat-tools-server.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { agentConfig, silentLogger } from './fixtures.ts';

/** The model: asks for the approvals the user message lists (`approve: A, B`), then reports the decisions. */
function model(request: ToolChatRequest) {
  const last = lastMessage(request);
  if (last.role === 'user') {
    const prompts = last
      .content!.replace(/^"?approve: /, '')
      .replace(/"$/, '')
      .split(', ');
    return { calls: prompts.map((prompt) => ({ name: 'request_approval', arguments: { prompt } })) };
  }
  const answers = request.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content!) as unknown);
  return { text: JSON.stringify(answers) };
}

// The llm `request_approval` tool (docs/assistants.md, "llm"): the call parks the run; the
// decision becomes the tool's result and the conversation continues without asking the model again.
describe.each(databaseKinds)('llm request_approval (%s)', (kind) => {
  let h: ApiHarness;
  let provider: ChatToolsServer;
  let worker: WorkerPool;
  let counter = 0;
  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    provider = await startChatToolsServer(model);
    const execution = createAssistantExecution({ db: h.db, logger: silentLogger, config: agentConfig() });
    worker = new WorkerPool({
      db: h.db,
      clock: systemClock,
      logger: silentLogger,
      workerId: `llm-approvals-${kind}`,
      config: { slots: 2, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
      pollIntervalMs: 200,
      execution,
    });
    await worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await provider?.close();
    await h?.close();
  });

  async function start(input: string): Promise<string> {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: `llm-${++counter}`,
      kind: 'llm',
      config: {
        base_url: provider.baseUrl,
        model: 'm',
        request_approval: { approvers: ['role:admin'], timeout: '2h' },
      },
    });
    const response = await h.call('POST', '/api/v1/runs', { body: { assistant_id: assistant.id, input } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }
  const waitingOn = (id: string, prompt: string) =>
    waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'waiting' && (run.waiting_for as { prompt?: string }).prompt === prompt ? run : undefined;
    });
  const finished = (id: string) =>
    waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'success' || run?.status === 'error' ? run : undefined;
    });
  const decide = (id: string, body: unknown) => h.call('POST', `/api/v1/runs/${id}/decision`, { body });

  it('the call parks the run; the decision is the tool result and the model is not asked the first turn again', async () => {
    const before = provider.requests.length;
    const id = await start('approve: Email 40 customers?');
    const parked = await waitingOn(id, 'Email 40 customers?');
    expect(parked.waiting_for).toMatchObject({ kind: 'approval', node: 'request_approval' });
    const { since, until } = parked.waiting_for as { since: string; until: string };
    expect(Date.parse(until) - Date.parse(since)).toBe(2 * 3_600_000);
    expect(provider.requests.length - before).toBe(1);
    expect(provider.requests.at(-1)!.tools!.map((t) => t.function.name)).toEqual(['request_approval']);

    expect((await decide(id, { approved: false, comment: 'not today' })).status).toBe(200);
    const run = await finished(id);
    expect(run.status).toBe('success');
    expect(JSON.parse(run.output as string)).toEqual([
      expect.objectContaining({ approved: false, comment: 'not today', by: localAdminId, timed_out: false }),
    ]);
    expect(provider.requests.length - before).toBe(2);
    const resumed = provider.requests.at(-1)!;
    const call = resumed.messages.at(-2)!.tool_calls![0]!;
    expect(lastMessage(resumed)).toMatchObject({ role: 'tool', tool_call_id: call.id });
    expect(run.usage).toMatchObject({ total_tokens: 30 });
    expect(provider.shapeErrors).toEqual([]);
  });

  it('two approvals in one answer: each parks in turn, and every call is answered before the model is asked again', async () => {
    const before = provider.requests.length;
    const id = await start('approve: Refund A1?, Refund B2?');
    await waitingOn(id, 'Refund A1?');
    expect((await decide(id, { approved: true })).status).toBe(200);
    await waitingOn(id, 'Refund B2?');
    expect(provider.requests.length - before).toBe(1);
    const again = await decide(id, { approved: false, comment: 'no' });
    expect(again.status).toBe(200);
    const run = await finished(id);
    expect(JSON.parse(run.output as string)).toEqual([
      expect.objectContaining({ approved: true }),
      expect.objectContaining({ approved: false, comment: 'no' }),
    ]);
    expect(provider.requests.length - before).toBe(2);
    expect(provider.shapeErrors).toEqual([]);
  });

  it('request_approval is checked when the assistant is saved', async () => {
    const response = await h.call('POST', '/api/v1/assistants', {
      body: {
        name: 'bad-approvals',
        kind: 'llm',
        config: { base_url: provider.baseUrl, model: 'm', request_approval: { approvers: ['someone'] } },
      },
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.message).toContain('request_approval');
    const { rows } = await h.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM assistants WHERE name = 'bad-approvals'",
    );
    expect(rows[0]!.n).toBe(0);
  });
});
