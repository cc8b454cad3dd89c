import { afterEach, describe, expect, it } from 'vitest';
import type { MisfirePolicy } from '../../src/store/schedules.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { admin, createEngine, logger, ManualClock, type Engine } from './harness.ts';

// Late is never capacity: a replica that died holding a run of an every-second schedule
// (max_concurrent 1) makes the next runs wait past their start deadline (1 s, the period). They
// start late and say so (`late_by_ms`), or end `missed` under their misfire policy; a run held by
// a replica whose lease expired does not count as running; none ends `capacity`.
const start = Date.parse('2026-03-02T10:00:00.200Z');
const second = (n: number) => Date.parse(`2026-03-02T10:00:${String(n).padStart(2, '0')}.000Z`);

describe.each(databaseKinds)('runs late because of a dead replica (%s)', (kind) => {
  let engine: Engine | undefined;
  let worker: WorkerPool | undefined;
  afterEach(async () => {
    await worker?.close();
    await engine?.close();
    engine = undefined;
  });

  const expectations: Record<MisfirePolicy, (scheduledSecond: number) => string> = {
    // Every occurrence runs; those the dead run held back start late.
    run_all: (s) => (s >= 2 && s <= 5 ? 'success/late' : 'success/-'),
    // The newest due run stands for the late ones: :06 runs on time, :02–:05 are missed.
    run_once: (s) => (s >= 2 && s <= 5 ? 'skipped/missed' : 'success/-'),
    skip: (s) => (s >= 2 && s <= 5 ? 'skipped/missed' : 'success/-'),
  };
  for (const [misfire, expected] of Object.entries(expectations) as Array<[MisfirePolicy, (s: number) => string]>) {
    it(`misfire ${misfire}: late runs follow the policy, none ends capacity`, { timeout: 120_000 }, async () => {
      const clock = new ManualClock(start);
      engine = await createEngine(kind, { clock });
      const schedule = await engine.schedules.create(admin, {
        assistant_id: engine.assistantId,
        schedule: { cron: '* * * * * *' },
        misfire,
        name: `every second ${misfire}`,
        overlap: 'allow',
        max_concurrent: 1,
        retry: { max_attempts: 1 },
      });
      await engine.scheduler.tick();
      // A replica claims :01 with a 5 s lease and dies (it never heart-beats nor finishes).
      clock.set(second(1));
      const dead = await claimRuns(engine.db, { now: second(1), limit: 1, workerId: 'dead', leaseMs: 5000 });
      expect(dead.started.map((run) => run.scheduled_for!.toISOString())).toEqual(['2026-03-02T10:00:01.000Z']);
      worker = new WorkerPool({
        db: engine.db,
        clock,
        logger,
        workerId: 'live',
        config: { slots: 8, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
        pollIntervalMs: 2000,
        execute: async () => ({ output: 'ok' }),
      });
      for (let s = 1; s <= 10; s++) {
        clock.set(second(s) + 200);
        await engine.scheduler.tick();
        // One run of the schedule at a time: tick until nothing more starts.
        while ((await worker.tick()).length > 0) await worker.idle();
      }
      const runs = (await engine.runsOf(schedule.id)).filter((run) => run.scheduled_for!.getTime() <= second(10));
      const outcome = (run: RunRow) => `${run.status}/${run.error_kind ?? ((run.late_by_ms ?? 0) > 0 ? 'late' : '-')}`;
      // :01 was the dead replica's: recovered once its lease expired (not counted while it was expired).
      const rest = runs.filter((run) => run.scheduled_for!.getTime() >= second(2));
      expect(rest.map((run) => `:${run.scheduled_for!.getUTCSeconds()} ${outcome(run)}`)).toEqual(
        rest.map((run) => `:${run.scheduled_for!.getUTCSeconds()} ${expected(run.scheduled_for!.getUTCSeconds())}`),
      );
      expect(runs.filter((run) => run.error_kind === 'capacity')).toEqual([]);
      for (const run of rest.filter((r) => (r.late_by_ms ?? 0) > 0)) {
        // Started once the dead run's lease expired (:06), late by the time since its not_before.
        expect(run.late_by_ms).toBe(run.started_at!.getTime() - run.not_before.getTime());
        expect(run.started_at!.getTime()).toBeGreaterThanOrEqual(second(6));
        expect((await engine.runs.events(admin, run.id)).map((event) => event.kind)).toContain('late');
      }
      for (const run of rest.filter((r) => r.error_kind === 'missed')) expect(run.error).toMatch(/^missed: /);
      const stats = await engine.schedules.stats(admin, schedule.id);
      expect(stats.by_reason.capacity ?? 0).toBe(0);
      expect(stats.late).toBe(misfire === 'run_all' ? 4 : 0);
      expect((await engine.schedules.get(admin, schedule.id)).consecutive_failures).toBe(0);
    });
  }

  it('a running run whose lease expired does not count toward max_concurrent', async () => {
    const clock = new ManualClock(start);
    engine = await createEngine(kind, { clock });
    const schedule = await engine.schedules.create(admin, {
      assistant_id: engine.assistantId,
      schedule: { cron: '* * * * * *' },
      name: 'one at a time',
      overlap: 'allow',
      max_concurrent: 1,
    });
    await engine.scheduler.tick();
    clock.set(second(1));
    await claimRuns(engine.db, { now: second(1), limit: 1, workerId: 'frozen', leaseMs: 500 });
    clock.set(second(2) + 100);
    await engine.scheduler.tick();
    // The frozen replica's lease ended at :01.5: the :02 run starts though :01 is still `running`.
    const claimed = await claimRuns(engine.db, { now: second(2) + 100, limit: 4, workerId: 'live', leaseMs: 30_000 });
    expect(claimed.started.map((run) => run.scheduled_for!.toISOString())).toEqual(['2026-03-02T10:00:02.000Z']);
    const runs = await engine.runsOf(schedule.id);
    expect(runs.map((run) => `${run.status}:${run.lease_owner}`).slice(0, 2)).toEqual([
      'running:frozen',
      'running:live',
    ]);
  });
});
