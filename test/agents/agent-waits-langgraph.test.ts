import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { findRun } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { startHttpAgentServer, type AgentRequest, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { agentConfig, silentLogger } from './fixtures.ts';

const remoteThread = '5b0c3a52-7d0e-4c43-9d5b-3f1f0c6a9e01';

// A LangGraph interrupt (docs/assistants.md, "langgraph"): the run parks on an approval with the
// interrupt's question; the decision resumes the same remote thread with `command: {resume}`.
// The remote is a small LangGraph-API-compatible server: `/runs/wait` answers an interrupt in the
// final values (`__interrupt__`), and the resumed values after `command.resume`.
describe.each(databaseKinds)('LangGraph interrupts (%s)', (kind) => {
  let h: ApiHarness;
  let graph: HttpAgentServer;
  let worker: WorkerPool;
  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    graph = await startHttpAgentServer((request) => {
      if (request.path === '/threads') return { body: { thread_id: remoteThread, status: 'idle' } };
      const body = request.body as { assistant_id?: string; command?: { resume?: { comment?: string } } };
      // The `twice` graph interrupts again after its first resume.
      if (body.assistant_id === 'twice' && body.command?.resume?.comment === 'first')
        return { body: { __interrupt__: [{ value: 'and the notes?', id: 'interrupt-2' }] } };
      if (body.command) return { body: { topic: 'release', resumed_with: body.command.resume } };
      return {
        body: {
          topic: 'release',
          __interrupt__: [{ value: { question: 'ship the release?' }, id: 'interrupt-1' }],
        },
      };
    });
    const execution = createAssistantExecution({ db: h.db, logger: silentLogger, config: agentConfig() });
    worker = new WorkerPool({
      db: h.db,
      clock: systemClock,
      logger: silentLogger,
      workerId: `langgraph-waits-${kind}`,
      config: { slots: 2, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
      pollIntervalMs: 200,
      execution,
    });
    await worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await graph?.close();
    await h?.close();
  });

  const finished = (id: string) =>
    waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'success' || run?.status === 'error' ? run : undefined;
    });
  const runsWait = (request: AgentRequest) => request.method === 'POST' && request.path.endsWith('/runs/wait');

  it('an interrupt parks the run; the decision resumes the same thread with command.resume', async () => {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: 'lg-release',
      kind: 'langgraph',
      config: { base_url: graph.url, graph_id: 'release' },
    });
    const thread = await h.call('POST', '/api/v1/threads', { body: { assistant_id: assistant.id } });
    expect(thread.status).toBe(201);
    const { id: threadId } = (await thread.json()) as { id: string };
    const created = await h.call('POST', '/api/v1/runs', {
      body: { assistant_id: assistant.id, input: { topic: 'release' }, thread_id: threadId },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const parked = await waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'waiting' ? run : undefined;
    });
    expect(parked.waiting_for).toMatchObject({ kind: 'approval', node: 'lg-release', prompt: 'ship the release?' });
    const first = graph.requests.filter(runsWait);
    expect(first).toHaveLength(1);
    expect(first[0]!.path).toBe(`/threads/${remoteThread}/runs/wait`);
    expect(first[0]!.body).toMatchObject({ assistant_id: 'release', input: { topic: 'release' } });

    const decided = await h.call('POST', `/api/v1/runs/${id}/decision`, {
      body: { approved: true, comment: 'go', data: { channel: 'stable' } },
    });
    expect(decided.status).toBe(200);
    const done = await finished(id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('success');
    const calls = graph.requests.filter(runsWait);
    expect(calls).toHaveLength(2);
    const second = calls[1]!;
    expect(second.path).toBe(`/threads/${remoteThread}/runs/wait`);
    const resume = (second.body as { command: { resume: Record<string, unknown> } }).command.resume;
    expect(second.body).not.toHaveProperty('input');
    expect(resume).toMatchObject({ approved: true, comment: 'go', data: { channel: 'stable' } });
    expect(second.headers['idempotency-key']).toBe(`${id}:resume:1`);
    expect(done.output).toEqual({ topic: 'release', resumed_with: resume });
    // The remote thread was created once, before the first run.
    expect(graph.requests.filter((request) => request.path === '/threads')).toHaveLength(1);
  });

  it('a second interrupt parks the run again; each decision resumes the thread once', async () => {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: 'lg-twice',
      kind: 'langgraph',
      config: { base_url: graph.url, graph_id: 'twice' },
    });
    const thread = await h.call('POST', '/api/v1/threads', { body: { assistant_id: assistant.id } });
    const { id: threadId } = (await thread.json()) as { id: string };
    const created = await h.call('POST', '/api/v1/runs', {
      body: { assistant_id: assistant.id, input: {}, thread_id: threadId },
    });
    const { id } = (await created.json()) as { id: string };
    const before = graph.requests.length;
    const parkedOn = (prompt: string) =>
      waitFor(async () => {
        const run = await findRun(h.db, id);
        return run?.status === 'waiting' && (run.waiting_for as { prompt?: string }).prompt === prompt
          ? run
          : undefined;
      });
    await parkedOn('ship the release?');
    expect(
      (await h.call('POST', `/api/v1/runs/${id}/decision`, { body: { approved: true, comment: 'first' } })).status,
    ).toBe(200);
    await parkedOn('and the notes?');
    expect(
      (await h.call('POST', `/api/v1/runs/${id}/decision`, { body: { approved: true, comment: 'second' } })).status,
    ).toBe(200);
    const done = await finished(id);
    expect(done.status).toBe('success');
    const resumes = graph.requests
      .slice(before)
      .filter((request) => runsWait(request) && (request.body as { command?: unknown }).command);
    expect(resumes.map((request) => request.headers['idempotency-key'])).toEqual([`${id}:resume:1`, `${id}:resume:2`]);
    expect(
      resumes.map((request) => (request.body as { command: { resume: { comment: string } } }).command.resume.comment),
    ).toEqual(['first', 'second']);
    expect(done.output).toMatchObject({ resumed_with: { approved: true, comment: 'second' } });
  });

  it('a stateless run has no thread to resume: the interrupt fails it, saying so', async () => {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: 'lg-stateless',
      kind: 'langgraph',
      config: { base_url: graph.url, graph_id: 'release' },
    });
    const before = graph.requests.length;
    const created = await h.call('POST', '/api/v1/runs', { body: { assistant_id: assistant.id, input: 'go' } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const done = await finished(id);
    expect(done.status).toBe('error');
    expect(done.error_kind).toBe('assistant_error');
    expect(done.error).toContain('no remote thread to resume');
    expect(done.error).toContain('ship the release?');
    const sent = graph.requests.slice(before);
    expect(sent.map((request) => request.path)).toEqual(['/runs/wait']);
  });
});
