import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { findRun } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { startA2AAgentServer, type A2AAgentServer } from '../helpers/a2a-agent-server.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { agentConfig, silentLogger } from './fixtures.ts';

// A2A `input-required` (docs/assistants.md, "a2a"): the run parks on an approval with the agent's
// question; the decision is sent as the next message of the same task and context.
describe.each(databaseKinds)('A2A input-required (%s)', (kind) => {
  let h: ApiHarness;
  let agent: A2AAgentServer;
  let worker: WorkerPool;
  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    agent = await startA2AAgentServer();
    const execution = createAssistantExecution({ db: h.db, logger: silentLogger, config: agentConfig() });
    worker = new WorkerPool({
      db: h.db,
      clock: systemClock,
      logger: silentLogger,
      workerId: `a2a-waits-${kind}`,
      config: { slots: 2, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
      pollIntervalMs: 200,
      execution,
    });
    await worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await agent?.close();
    await h?.close();
  });

  it('input-required parks the run; the decision answers the same task in the same context', async () => {
    const assistant = await insertAssistant(h.db, {
      ownerId: localAdminId,
      name: 'a2a-asker',
      kind: 'a2a',
      config: { url: agent.url, poll_interval_s: 0.05 },
    });
    const created = await h.call('POST', '/api/v1/runs', { body: { assistant_id: assistant.id, input: 'input now' } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const parked = await waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'waiting' ? run : undefined;
    });
    expect(parked.waiting_for).toMatchObject({ kind: 'approval', node: 'a2a-asker', prompt: 'which region?' });
    const asked = agent.received.at(-1)!;
    expect(asked.text).toBe('input now');

    const decided = await h.call('POST', `/api/v1/runs/${id}/decision`, {
      body: { approved: true, comment: 'eu-west', data: { region: 'eu-west-1' } },
    });
    expect(decided.status).toBe(200);
    const done = await waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'success' || run?.status === 'error' ? run : undefined;
    });
    expect(done.error).toBeNull();
    expect(done.status).toBe('success');
    const answer = agent.received.at(-1)!;
    expect(answer.taskId).toBe(asked.taskId);
    expect(answer.contextId).toBe(asked.contextId);
    expect(answer.data).toMatchObject({ approved: true, comment: 'eu-west', data: { region: 'eu-west-1' } });
    expect(JSON.stringify(done.output)).toContain('eu-west-1');
  });
});
