import { afterAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { listRunEvents } from '../../src/store/run-events.ts';
import { findRun } from '../../src/store/runs.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const admin = { userId: localAdminId, role: 'admin' as const };

// A workflow sleeps across a SIGKILL of the only `kairos serve`; the sleep comes due while no
// replica is up. The next replica resumes the run at once, once, without calling the step that
// finished before the sleep again (docs/waits.md).
describe('a sleep across a SIGKILL of every replica (postgres)', () => {
  let test: TestDatabase;
  let agent: HttpAgentServer;
  const processes: KairosProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM').catch(() => null)));
    await agent?.close();
    await test?.close();
  });

  it('resumes once, at once, and finished steps are not called again', { timeout: 180_000 }, async () => {
    test = await createTestDatabase('postgres');
    agent = await startHttpAgentServer();
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'agent',
      kind: 'http',
      config: { url: agent.url },
    });
    const env = {
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: test.db.schema,
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_LEASE_SECONDS: '2',
      KAIROS_HEARTBEAT_SECONDS: '0.5',
      KAIROS_POLL_INTERVAL_MS: '5000',
      KAIROS_DB_POOL_SIZE: '4',
    };
    processes.push(await startKairosProcess(env, 120_000));

    const registry = createModuleRegistry([]);
    const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
    const workflows = new WorkflowService({
      db: test.db,
      clock: systemClock,
      assistants: createAssistantService({ db: test.db, config, registry }),
      registry,
      startDeadlineMs: 300_000,
    });
    const workflow = await workflows.create(admin, {
      name: 'sleepy',
      steps: [
        { type: 'step', name: 'before', assistant_id: assistant.id },
        { type: 'wait', name: 'nap', sleep: '4s' },
        { type: 'step', name: 'after', assistant_id: assistant.id, input: '{{steps.nap}}' },
      ],
    });
    const { id } = await workflows.run(admin, workflow.id, { input: 'go' });
    const parked = await waitFor(
      async () => {
        const run = await findRun(test.db, id);
        return run?.status === 'waiting' ? run : undefined;
      },
      { timeoutMs: 30_000, message: 'the run to wait' },
    );
    expect(agent.requests).toHaveLength(1);
    const due = Date.parse((parked.waiting_for as { until: string }).until);

    const victim = processes.pop()!;
    victim.child.kill('SIGKILL');
    await new Promise((resolve) => victim.child.once('exit', resolve));
    // Every replica is down past the due time.
    await waitFor(() => Date.now() > due + 500, { timeoutMs: 10_000 });
    expect((await findRun(test.db, id))!.status).toBe('waiting');

    const spawnedAt = Date.now();
    const next = await startKairosProcess(env, 120_000);
    const readyAt = Date.now();
    processes.push(next);
    const run = await waitFor(
      async () => {
        const row = await findRun(test.db, id);
        return row?.status === 'success' ? row : undefined;
      },
      { timeoutMs: 30_000, message: 'the run to finish' },
    );
    const nap = (run.output as { steps: { nap: { woke_at: string } } }).steps.nap;
    const wokeAt = Date.parse(nap.woke_at);
    // Woken by the new replica as it started: not before it was spawned, within a second of it listening.
    expect(wokeAt).toBeGreaterThanOrEqual(spawnedAt - 50);
    expect(wokeAt).toBeLessThan(readyAt + 1000);
    // `before` ran once (before the kill), `after` once; nothing was called twice.
    const keys = agent.requests.map((request) => request.headers['idempotency-key']);
    expect(keys).toEqual([`${id}:steps[0]`, `${id}:steps[2]`]);
    const events = await listRunEvents(test.db, id);
    expect(events.filter((e) => e.kind === 'decision')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'wait')).toHaveLength(1);
  });
});
