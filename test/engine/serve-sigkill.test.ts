import { afterAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { ScheduleResource } from '../../src/scheduler/schedule-resource.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { engineAssistants, engineWorkflows } from './harness.ts';

const admin = { userId: localAdminId, role: 'admin' as const };

// Three `kairos serve` processes on one PostgreSQL; one is killed with SIGKILL mid-load. Every
// occurrence in the window has exactly one run, none is missing, every started run ends.
describe('kairos serve ×3 with one SIGKILL (postgres)', () => {
  let test: TestDatabase;
  let server: AssistantServer;
  const processes: KairosProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM').catch(() => null)));
    await server?.close();
    await test?.close();
  });

  it('loses and doubles nothing', { timeout: 90_000 }, async () => {
    test = await createTestDatabase('postgres');
    server = await startAssistantServer();
    server.behave(() => ({ kind: 'ok', delayMs: 300 }));
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'slow',
      kind: 'http',
      config: { url: server.url },
    });
    const env = {
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: test.db.schema,
      KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_LEASE_SECONDS: '1.5',
      KAIROS_HEARTBEAT_SECONDS: '0.5',
      KAIROS_POLL_INTERVAL_MS: '1000',
      KAIROS_DB_POOL_SIZE: '5',
      KAIROS_WORKER_SLOTS: '8',
    };
    processes.push(
      ...(await Promise.all([
        startKairosProcess(env, 60_000),
        startKairosProcess(env, 60_000),
        startKairosProcess(env, 60_000),
      ])),
    );

    const schedules = new ScheduleService({
      db: test.db,
      clock: systemClock,
      config: { allowSeconds: true, maxSchedulesPerUser: 0, requireAdmin: false },
      startDeadlineMs: 300_000,
      assistants: engineAssistants(test.db),
      workflows: engineWorkflows(test.db),
    });
    const endAt = Date.now() + 7000;
    const created: ScheduleResource[] = [];
    for (let i = 0; i < 20; i++) {
      created.push(
        await schedules.create(admin, {
          assistant_id: assistant.id,
          schedule: { cron: '* * * * * *' },
          end_at: new Date(endAt).toISOString(),
          retry: { max_attempts: 2, backoff: 'none' },
        }),
      );
    }
    // Kill the replica holding the most running runs, 150 ms after a second boundary.
    await waitFor(() => server.requests.length > 40, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1150 - (Date.now() % 1000)));
    const { rows: holders } = await test.db.query<{ pid: number; n: number }>(
      `SELECT p.pid, count(*)::int AS n FROM runs r JOIN replicas p ON p.id = r.lease_owner
       WHERE r.status = 'running' GROUP BY p.pid ORDER BY n DESC LIMIT 1`,
    );
    const victim = processes.find((p) => p.child.pid === holders[0]?.pid) ?? processes[0]!;
    victim.child.kill('SIGKILL');
    await new Promise((resolve) => victim.child.once('exit', resolve));
    processes.splice(processes.indexOf(victim), 1);

    const runs = await waitFor(
      async () => {
        const { rows } = await test.db.query<RunRow>('SELECT * FROM runs');
        const done =
          Date.now() > endAt + 1000 && rows.every((run) => run.status !== 'pending' && run.status !== 'running');
        return done ? rows : undefined;
      },
      { timeoutMs: 40_000, message: 'every run to end' },
    );

    for (const schedule of created) {
      const createdAt = Date.parse(schedule.created_at);
      const expected: string[] = [];
      for (let t = Math.floor(createdAt / 1000) * 1000 + 1000; t < endAt; t += 1000)
        expected.push(new Date(t).toISOString());
      const fired = runs
        .filter((run) => run.schedule_id === schedule.id)
        .map((run) => run.scheduled_for!.toISOString())
        .sort();
      expect(fired).toEqual(expected);
    }
    // The killed replica's runs resumed (a crash does not use up an attempt): none ended crashed.
    const recovered = (
      await test.db.query<{ n: number }>("SELECT count(*)::int AS n FROM run_events WHERE kind = 'recovered'")
    ).rows[0]!.n;
    expect(recovered).toBeGreaterThan(0);
    expect(runs.filter((run) => run.error_kind === 'crashed')).toEqual([]);
    const statuses = new Set(runs.map((run) => run.status));
    for (const status of statuses) expect(['success', 'skipped', 'error']).toContain(status);
    expect(runs.filter((run) => run.status === 'success').length).toBeGreaterThan(runs.length * 0.8);
  });
});
