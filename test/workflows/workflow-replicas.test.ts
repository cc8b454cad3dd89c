import { afterAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { Scheduler } from '../../src/scheduler/scheduler-loop.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database } from '../../src/store/database.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type AgentRequest, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, logger } from './harness.ts';

const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };

function services(db: Database) {
  const registry = createModuleRegistry([]);
  const assistants = createAssistantService({ db, config, registry });
  const workflows = new WorkflowService({ db, clock: systemClock, assistants, registry, startDeadlineMs: 300_000 });
  const schedules = new ScheduleService({
    db,
    clock: systemClock,
    config: { allowSeconds: true, maxSchedulesPerUser: 0, requireAdmin: false },
    startDeadlineMs: 300_000,
    assistants,
    workflows,
  });
  return { registry, assistants, workflows, schedules };
}

const inputOf = (request: AgentRequest) => (request.body as { input: unknown }).input;

// A `kairos serve` process is SIGKILLed in the middle of a workflow; the other replica recovers the
// run when its lease expires and resumes it at the step that had not finished: the steps that had
// finished are not called again (the agent counts its calls).
describe('a workflow survives a SIGKILLed worker (postgres, 2 × kairos serve)', () => {
  let test: TestDatabase;
  let agent: HttpAgentServer;
  const processes: KairosProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM').catch(() => null)));
    await agent?.close();
    await test?.close();
  });

  it('resumes at the first unfinished step on another replica', { timeout: 90_000 }, async () => {
    test = await createTestDatabase('postgres');
    let hung = false;
    agent = await startHttpAgentServer((request) => {
      const input = inputOf(request);
      // The first call of the middle step never answers: its worker is killed meanwhile.
      if (input === 'two' && !hung) {
        hung = true;
        return { hang: true };
      }
      return { body: { done: input } };
    });
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
      KAIROS_LEASE_SECONDS: '1.5',
      KAIROS_HEARTBEAT_SECONDS: '0.5',
      KAIROS_POLL_INTERVAL_MS: '500',
      KAIROS_DB_POOL_SIZE: '4',
    };
    processes.push(...(await Promise.all([startKairosProcess(env, 60_000), startKairosProcess(env, 60_000)])));

    const { workflows } = services(test.db);
    const workflow = await workflows.create(admin, {
      name: 'three-steps',
      steps: [
        { type: 'step', name: 'first', assistant_id: assistant.id, input: 'one' },
        {
          type: 'parallel',
          name: 'middle',
          steps: [
            { type: 'step', name: 'quick', assistant_id: assistant.id, input: 'side' },
            { type: 'step', name: 'hangs', assistant_id: assistant.id, input: 'two' },
          ],
        },
        { type: 'step', name: 'last', assistant_id: assistant.id, input: 'three' },
      ],
    });
    const created = await workflows.run(admin, workflow.id, { retry: { max_attempts: 2, backoff: { initial_s: 0 } } });

    await waitFor(() => hung && agent.requests.some((r) => inputOf(r) === 'side'), {
      timeoutMs: 30_000,
      message: 'the middle step to be in flight',
    });
    await waitFor(
      async () => {
        const { rows } = await test.db.query<{ status: string }>(
          `SELECT status FROM run_steps WHERE run_id = $1 AND name = 'quick'`,
          [created.id],
        );
        return rows[0]?.status === 'success';
      },
      { message: 'the quick branch to be recorded' },
    );
    const { rows: holders } = await test.db.query<{ pid: number }>(
      'SELECT p.pid FROM runs r JOIN replicas p ON p.id = r.lease_owner WHERE r.id = $1',
      [created.id],
    );
    const victim = processes.find((p) => p.child.pid === holders[0]?.pid)!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await new Promise((resolve) => victim.child.once('exit', resolve));
    processes.splice(processes.indexOf(victim), 1);

    const run = await waitFor(
      async () => {
        const { rows } = await test.db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [created.id]);
        return rows[0] && ['success', 'error', 'timeout', 'cancelled', 'skipped'].includes(rows[0].status)
          ? rows[0]
          : undefined;
      },
      { timeoutMs: 40_000, message: 'the run to finish on the surviving replica' },
    );

    expect(run.status).toBe('success');
    expect(run.attempt).toBe(2);
    expect(run.workflow_version).toBe(1);
    const calls = agent.requests.map(inputOf);
    expect(calls.filter((c) => c === 'one')).toHaveLength(1);
    expect(calls.filter((c) => c === 'side')).toHaveLength(1);
    expect(calls.filter((c) => c === 'two')).toHaveLength(2);
    expect(calls.filter((c) => c === 'three')).toHaveLength(1);
    const twos = agent.requests.filter((r) => inputOf(r) === 'two').map((r) => r.headers['idempotency-key']);
    expect(twos[0]).toBe(`${run.id}:steps[1].steps[1]`);
    expect(twos[1]).toBe(twos[0]);
    expect(run.output).toEqual({
      content: { done: 'three' },
      steps: {
        first: { done: 'one' },
        quick: { done: 'side' },
        hangs: { done: 'two' },
        middle: { quick: { done: 'side' }, hangs: { done: 'two' } },
        last: { done: 'three' },
      },
    });
    const { rows: events } = await test.db.query<{ kind: string; data: { name?: string; attempt?: number } }>(
      `SELECT kind, data FROM run_events WHERE run_id = $1 ORDER BY seq`,
      [run.id],
    );
    // The crash was a recovery, not a failed attempt (it did not use up one).
    expect(events.filter((e) => e.kind === 'recovered')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'attempt_failed')).toHaveLength(0);
    expect(events.filter((e) => e.kind === 'step_started').map((e) => e.data.name)).toEqual([
      'first',
      'middle',
      'quick',
      'hangs',
      'middle',
      'hangs',
      'last',
    ]);
  });
});

// Two replicas (scheduler + worker each) on one database: a schedule that fires a workflow every
// second gets exactly one run per occurrence, each started no earlier than its time, each complete.
describe('a scheduled workflow across 2 replicas (postgres)', () => {
  let test: TestDatabase;
  let agent: HttpAgentServer;
  const parts: Array<{ scheduler: Scheduler; worker: WorkerPool }> = [];
  afterAll(async () => {
    for (const part of parts) {
      await part.scheduler.close();
      await part.worker.close();
    }
    await agent?.close();
    await test?.close();
  });

  it('fires on time, exactly once per occurrence', { timeout: 60_000 }, async () => {
    test = await createTestDatabase('postgres');
    agent = await startHttpAgentServer();
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'agent',
      kind: 'http',
      config: { url: agent.url },
    });
    const dbs = [test.db, test.connectAgain()];
    for (const [i, db] of dbs.entries()) {
      const { registry } = services(db);
      parts.push({
        scheduler: new Scheduler({
          db,
          clock: systemClock,
          logger,
          config: { lookaheadMs: 500, batchSize: 100, pollIntervalMs: 1000, maxCatchupPerPass: 100 },
          startDeadlineMs: 300_000,
          misfireGraceMs: 60_000,
        }),
        worker: new WorkerPool({
          db,
          clock: systemClock,
          logger,
          workerId: `replica-${i}`,
          config: { slots: 4, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
          pollIntervalMs: 1000,
          execution: createAssistantExecution({ db, logger, config, registry }),
        }),
      });
    }
    for (const part of parts) {
      await part.worker.start();
      await part.scheduler.start();
    }
    const { workflows, schedules } = services(test.db);
    const workflow = await workflows.create(admin, {
      name: 'every-second',
      steps: [
        { type: 'step', name: 'a', assistant_id: assistant.id, input: 'run {{run_number}} at {{scheduled_for}}' },
        { type: 'step', name: 'b', assistant_id: assistant.id },
      ],
    });
    const endAt = Date.now() + 4000;
    const schedule = await schedules.create(admin, {
      workflow_id: workflow.id,
      schedule: { cron: '* * * * * *' },
      end_at: new Date(endAt).toISOString(),
    });
    expect(schedule.workflow_id).toBe(workflow.id);
    await waitFor(async () => (await schedules.get(admin, schedule.id)).status === 'completed', {
      timeoutMs: 20_000,
      message: 'the schedule to complete',
    });
    const runs = await waitFor(
      async () => {
        const { rows } = await test.db.query<RunRow>(
          'SELECT * FROM runs WHERE schedule_id = $1 ORDER BY scheduled_for',
          [schedule.id],
        );
        return rows.every((run) => run.status !== 'pending' && run.status !== 'running') ? rows : undefined;
      },
      { timeoutMs: 20_000, message: 'every run to end' },
    );

    const createdAt = Date.parse(schedule.created_at);
    const expected: string[] = [];
    for (let t = Math.floor(createdAt / 1000) * 1000 + 1000; t < endAt; t += 1000)
      expected.push(new Date(t).toISOString());
    expect(runs.map((run) => run.scheduled_for!.toISOString())).toEqual(expected);
    for (const run of runs) {
      expect(run.status).toBe('success');
      expect(run.workflow_id).toBe(workflow.id);
      expect(run.started_at!.getTime()).toBeGreaterThanOrEqual(run.scheduled_for!.getTime());
    }
    // Each occurrence's steps ran once: two calls per run, each step with its own key.
    const keys = agent.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(runs.length * 2);
    expect(new Set(keys).size).toBe(keys.length);
    const firstInputs = agent.requests
      .filter((r) => String(r.headers['idempotency-key']).endsWith(':steps[0]'))
      .map(inputOf)
      .sort();
    expect(firstInputs).toEqual(
      runs.map((run) => `run ${run.run_number} at ${run.scheduled_for!.toISOString()}`).sort(),
    );
  });
});
