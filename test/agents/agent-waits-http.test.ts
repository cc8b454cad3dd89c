import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { WaitTimers } from '../../src/runs/wait-timers.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { listRunEvents } from '../../src/store/run-events.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { createApiHarness, errorOf, type ApiHarness } from '../api/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { startHttpAgentServer, type AgentRequest, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { agentConfig, silentLogger } from './fixtures.ts';

// http agents that wait (docs/assistants.md, "Waiting"): a 202 {"wait": …} parks the run; when the
// wait ends the agent is called again with the same run id and Idempotency-Key and `resume`.
describe.each(databaseKinds)('http agents that wait (%s)', (kind) => {
  let h: ApiHarness;
  let agent: HttpAgentServer;
  let worker: WorkerPool;
  let timers: WaitTimers;
  let counter = 0;
  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    agent = await startHttpAgentServer();
    const execution = createAssistantExecution({ db: h.db, logger: silentLogger, config: agentConfig() });
    worker = new WorkerPool({
      db: h.db,
      clock: systemClock,
      logger: silentLogger,
      workerId: `waiting-agents-${kind}`,
      config: { slots: 2, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
      pollIntervalMs: 200,
      execution,
    });
    await worker.start();
    timers = new WaitTimers({ db: h.db, clock: systemClock, logger: silentLogger, pollIntervalMs: 200 });
    await timers.start();
  }, 120_000);
  afterAll(async () => {
    await timers?.close();
    await worker?.close();
    await agent?.close();
    await h?.close();
  });

  /** Starts a run of a fresh http assistant at the agent's `path`; returns the run id. */
  async function start(path: string, input: unknown): Promise<string> {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: `agent-${++counter}`,
      kind: 'http',
      config: { url: `${agent.url}${path}` },
    });
    const response = await h.call('POST', '/api/v1/runs', { body: { assistant_id: assistant.id, input } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }
  const inStatus = (id: string, status: string) =>
    waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === status ? run : undefined;
    });
  const requestsOf = (id: string) => agent.requests.filter((r) => (r.body as { run_id?: string }).run_id === id);
  const resumeOf = (request: AgentRequest) => (request.body as { resume?: unknown }).resume;

  it('approval: the run waits without a lease; the decision resumes the agent with the same run id and key', async () => {
    agent.handle((request) => {
      const resume = resumeOf(request);
      if (resume === undefined)
        return { status: 202, body: { wait: { approval: { prompt: 'Send the Q3 report?', timeout: '1h' } } } };
      return { body: { sent: (resume as { approved: boolean }).approved, decision: resume } };
    });
    const id = await start('/approve', { report: 'Q3' });
    const parked: RunRow = await inStatus(id, 'waiting');
    expect(parked.lease_owner).toBeNull();
    expect(parked.waiting_for).toMatchObject({ kind: 'approval', prompt: 'Send the Q3 report?' });
    const { since, until } = parked.waiting_for as { since: string; until: string };
    expect(Date.parse(until) - Date.parse(since)).toBe(3_600_000);
    const pending = (await (await h.call('GET', '/api/v1/approvals?status=pending')).json()) as {
      data: Array<{ run_id: string; prompt: string; assistant_id?: string }>;
    };
    expect(pending.data.find((a) => a.run_id === id)).toMatchObject({
      prompt: 'Send the Q3 report?',
      assistant_id: parked.assistant_id,
    });
    expect(requestsOf(id)).toHaveLength(1);

    const decided = await h.call('POST', `/api/v1/runs/${id}/decision`, {
      body: { approved: true, comment: 'ship it', data: { channel: 'email' } },
    });
    expect(decided.status).toBe(200);
    const done = await inStatus(id, 'success');
    expect(done.output).toMatchObject({
      sent: true,
      decision: { approved: true, comment: 'ship it', by: localAdminId, data: { channel: 'email' }, timed_out: false },
    });
    const [first, second] = requestsOf(id);
    expect(requestsOf(id)).toHaveLength(2);
    expect(resumeOf(first!)).toBeUndefined();
    expect(first!.headers['idempotency-key']).toBe(id);
    expect(second!.headers['idempotency-key']).toBe(id);
    expect(second!.body).toMatchObject({ run_id: id, input: { report: 'Q3' }, resume: { approved: true } });
    const kinds = (await listRunEvents(h.db, id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'wait')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'decision')).toHaveLength(1);

    const again = await h.call('POST', `/api/v1/runs/${id}/decision`, { body: { approved: false } });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('already_decided');
  });

  it('sleep: the run sleeps, wakes on its timer, and a wait already over resumes at once', async () => {
    agent.handle((request) => {
      const seen = requestsOf((request.body as { run_id: string }).run_id).length;
      if (seen === 1) return { status: 202, body: { wait: { sleep: '1s' } } };
      if (seen === 2) return { status: 202, body: { wait: { until: '2020-01-01T00:00:00Z' } } };
      return { body: { woke: resumeOf(request) } };
    });
    const started = Date.now();
    const id = await start('/sleep', 'nap');
    await inStatus(id, 'waiting');
    const done = await inStatus(id, 'success');
    const requests = requestsOf(id);
    expect(requests).toHaveLength(3);
    const firstWoke = resumeOf(requests[1]!) as { woke_at: string };
    expect(Date.parse(firstWoke.woke_at)).toBeGreaterThanOrEqual(started + 1000);
    expect(resumeOf(requests[2]!)).toMatchObject({ woke_at: expect.any(String) });
    expect(done.output).toEqual({ woke: resumeOf(requests[2]!) });
    const { rows } = await h.db.query<{ node_key: string; resolution: string }>(
      'SELECT node_key, resolution FROM waits WHERE run_id = $1 ORDER BY node_key',
      [id],
    );
    expect(rows).toEqual([
      { node_key: 'agent:1', resolution: 'woke' },
      { node_key: 'agent:2', resolution: 'woke' },
    ]);
  });

  it('an invalid wait fails the run, naming the field', async () => {
    agent.handle(() => ({ status: 202, body: { wait: { approval: { timeout: '1h' } } } }));
    const id = await start('/bad', null);
    const failed = await inStatus(id, 'error');
    expect(failed.error_kind).toBe('assistant_error');
    expect(failed.error).toContain('wait.approval.prompt');
    expect(requestsOf(id)).toHaveLength(1);
  });
});
