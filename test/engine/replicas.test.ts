import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleResource } from '../../src/scheduler/schedule-resource.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine, type Replica } from './harness.ts';

// Three schedulers and workers on one PostgreSQL database, no leader: every occurrence in the
// window gets exactly one run, none is missing, every run ends.
describe('three replicas on one database (postgres)', () => {
  let engine: Engine;
  let replicas: Replica[];
  beforeAll(async () => {
    engine = await createEngine('postgres', { lookaheadMs: 500 });
    replicas = [engine, engine.replica(), engine.replica()];
    for (const replica of replicas) {
      await replica.worker.start();
      await replica.scheduler.start();
    }
  });
  afterAll(() => engine?.close());

  it('fires every occurrence exactly once', async () => {
    engine.server.behave(() => ({ kind: 'ok', delayMs: 5 }));
    const created = Date.now();
    const endAt = new Date(created + 5000);
    const schedules: ScheduleResource[] = [];
    for (let i = 0; i < 30; i++) {
      const replica = replicas[i % 3]!;
      schedules.push(
        await replica.schedules.create(admin, {
          assistant_id: engine.assistantId,
          name: `every-second-${i}`,
          schedule: { cron: i % 2 === 0 ? '* * * * * *' : '*/2 * * * * *' },
          end_at: endAt.toISOString(),
        }),
      );
    }
    await waitFor(
      async () =>
        (await Promise.all(schedules.map((s) => engine.schedules.get(admin, s.id)))).every(
          (s) => s.status === 'completed',
        ),
      {
        timeoutMs: 15_000,
        message: 'all schedules to complete',
      },
    );
    const all = await waitFor(
      async () => {
        const { rows } = await engine.db.query<RunRow>('SELECT * FROM runs');
        return rows.every((run) => run.status !== 'pending' && run.status !== 'running') ? rows : undefined;
      },
      { timeoutMs: 15_000, message: 'every run to end' },
    );
    let expectedTotal = 0;
    for (const [i, schedule] of schedules.entries()) {
      const step = i % 2 === 0 ? 1000 : 2000;
      const createdAt = Date.parse(schedule.created_at);
      const expected: string[] = [];
      for (let t = Math.floor(createdAt / step) * step + step; t < endAt.getTime(); t += step)
        expected.push(new Date(t).toISOString());
      const fired = all
        .filter((run) => run.schedule_id === schedule.id)
        .map((run) => run.scheduled_for!.toISOString())
        .sort();
      expect(fired, `schedule ${i}`).toEqual(expected);
      expectedTotal += expected.length;
    }
    expect(all).toHaveLength(expectedTotal);
    const received = engine.server.requests.map((request) => request.body.run_id);
    expect(new Set(received).size).toBe(received.length);
    const succeeded = all.filter((run) => run.status === 'success');
    const others = all.filter((run) => run.status !== 'success').map((run) => `${run.status}/${run.error_kind}`);
    expect(succeeded.length, `not successful: ${others.join(', ')}`).toBeGreaterThan(expectedTotal * 0.9);
    // The work was shared: every replica started runs.
    const workers = new Set(
      (
        await engine.db.query<{ data: { worker: string } }>(
          "SELECT data FROM run_events WHERE kind = 'attempt_started'",
        )
      ).rows.map((row) => row.data.worker),
    );
    expect(workers.size).toBe(3);
  });
});
