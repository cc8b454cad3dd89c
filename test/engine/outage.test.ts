import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import type { Database } from '../../src/store/database.ts';
import type { MisfirePolicy } from '../../src/store/schedules.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { databaseKinds, testDatabaseUrl } from '../helpers/databases.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { admin, createEngine, logger, ManualClock, type Engine } from './harness.ts';

// A run that could not start because of an outage is late, not a capacity failure: it follows
// its schedule's misfire policy, and neither it nor a crash recovery counts toward a failure
// streak. `capacity` stays for runs that waited for a free slot while workers were connected.
const start = Date.parse('2026-03-02T10:00:00.200Z');
const executed: string[] = [];

function workerOn(db: Database, clock: ManualClock, id: string): WorkerPool {
  return new WorkerPool({
    db,
    clock,
    logger,
    workerId: id,
    config: { slots: 8, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
    pollIntervalMs: 2000,
    execute: async (run) => {
      executed.push(run.id);
      return { output: 'ok' };
    },
  });
}

/** An every-second schedule (overlap allow) with runs materialised for :01 and :02 (start deadlines :02 and :03). */
async function everySecond(engine: Engine, clock: ManualClock, misfire: MisfirePolicy) {
  clock.set(start);
  const schedule = await engine.schedules.create(admin, {
    assistant_id: engine.assistantId,
    schedule: { cron: '* * * * * *' },
    misfire,
    name: `every second ${misfire}`,
    // Side by side, so that the overlap policy does not skip the second late run.
    overlap: 'allow',
    max_concurrent: 5,
  });
  await engine.scheduler.tick();
  clock.set(start + 1000);
  await engine.scheduler.tick();
  const runs = await engine.runsOf(schedule.id);
  expect(runs.map((run) => run.scheduled_for!.toISOString())).toEqual([
    '2026-03-02T10:00:01.000Z',
    '2026-03-02T10:00:02.000Z',
  ]);
  expect(runs.map((run) => run.start_deadline!.toISOString())).toEqual([
    '2026-03-02T10:00:02.000Z',
    '2026-03-02T10:00:03.000Z',
  ]);
  return schedule;
}

const outcome = (runs: RunRow[]) => runs.map((run) => `${run.status}/${run.error_kind ?? '-'}`);

describe('runs delayed by a database outage (postgres, the worker behind a TCP proxy that is cut)', () => {
  let engine: Engine | undefined;
  let proxy: TcpProxy | undefined;
  let proxied: Database | undefined;
  let worker: WorkerPool | undefined;
  afterEach(async () => {
    await worker?.close();
    await proxied?.close();
    await proxy?.close();
    await engine?.close();
    engine = undefined;
  });

  const expectations: Record<MisfirePolicy, string[]> = {
    run_all: ['success/-', 'success/-'],
    run_once: ['skipped/missed', 'success/-'],
    skip: ['skipped/missed', 'skipped/missed'],
  };
  for (const [misfire, expected] of Object.entries(expectations) as Array<[MisfirePolicy, string[]]>) {
    it(`misfire ${misfire}: ${expected.join(', ')}; no capacity error, no failure streak`, async () => {
      const clock = new ManualClock(start);
      engine = await createEngine('postgres', { clock });
      const target = new URL(testDatabaseUrl);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      proxied = openPostgres({
        connectionString: viaProxy(testDatabaseUrl, proxy),
        schema: engine.db.schema,
        poolSize: 2,
      });
      worker = workerOn(proxied, clock, 'cut-off');
      await proxied.query('SELECT 1');
      const schedule = await everySecond(engine, clock, misfire);

      proxy.down();
      clock.set(start + 4300); // both start deadlines pass while the worker cannot reach the database
      await expect(worker.tick()).rejects.toThrow();
      proxy.up();
      await worker.tick();
      await worker.idle();

      const runs = await engine.runsOf(schedule.id);
      expect(outcome(runs)).toEqual(expected);
      for (const run of runs.filter((r) => r.error_kind === 'missed'))
        expect(run.error).toMatch(/could reach the database/);
      const late = runs.filter((run) => run.status === 'success');
      for (const run of late) {
        expect(run.started_at!.getTime()).toBe(start + 4300);
        expect((await engine.runs.events(admin, run.id)).map((event) => event.kind)).toContain('late');
      }
      expect((await engine.schedules.get(admin, schedule.id)).consecutive_failures).toBe(0);
    });
  }
});

describe.each(databaseKinds)('runs delayed while no worker ran (%s)', (kind) => {
  let engine: Engine | undefined;
  const workers: WorkerPool[] = [];
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close();
    await engine?.close();
    engine = undefined;
  });

  it(
    'a worker started after the deadlines treats them as an outage (run_all runs late); one connected with a free slot starts a run late; one whose slots were busy records capacity',
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock(start);
      engine = await createEngine(kind, { clock });
      const connected = workerOn(engine.db, clock, 'connected');
      workers.push(connected);
      const lateSchedule = await everySecond(engine, clock, 'run_all');
      clock.set(start + 4300);
      const restarted = workerOn(engine.db, clock, 'restarted');
      workers.push(restarted);
      await restarted.tick();
      await restarted.idle();
      expect(outcome(await engine.runsOf(lateSchedule.id))).toEqual(['success/-', 'success/-']);

      // A worker connected the whole time with a free slot did not make it wait for a slot: it
      // starts the run, late (a busy machine, a frozen peer holding its row lock).
      const overdue = await engine.runs.create(admin, { assistant_id: engine.assistantId });
      clock.advance(300_001);
      await connected.tick();
      await connected.idle();
      const late = (await engine.test.db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [overdue.id])).rows[0]!;
      expect(outcome([late])).toEqual(['success/-']);

      // One whose every slot was busy since before the deadline: capacity.
      let release = () => {};
      const full = new WorkerPool({
        db: engine.db,
        clock,
        logger,
        workerId: 'full',
        config: { slots: 1, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
        pollIntervalMs: 2000,
        execute: () => new Promise((resolve) => (release = () => resolve({ output: 'ok' }))),
      });
      workers.push(full);
      await engine.runs.create(admin, { assistant_id: engine.assistantId });
      expect(await full.tick()).toHaveLength(1);
      const starved = await engine.runs.create(admin, { assistant_id: engine.assistantId });
      clock.advance(300_001);
      await full.tick();
      const run = (await engine.test.db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [starved.id])).rows[0]!;
      expect(outcome([run])).toEqual(['error/capacity']);
      expect(run.error).toMatch(/every worker slot was busy/);
      release();
      await full.idle();
    },
  );

  it(
    'a run recovered as crashed (its worker died) does not extend the failure streak',
    { timeout: 120_000 },
    async () => {
      const clock = new ManualClock(start);
      engine = await createEngine(kind, { clock });
      const schedule = await engine.schedules.create(admin, {
        assistant_id: engine.assistantId,
        schedule: { cron: '0 0 1 1 *' },
        alert_after: 1,
      });
      const triggered = await engine.schedules.trigger(admin, schedule.id);
      // Claimed by a worker that then "dies": its run never finishes, its lease expires.
      const { rows } = await engine.test.db.query<{ id: string }>(
        `UPDATE runs SET status = 'running', lease_owner = 'dead', lease_expires_at = $2, started_at = $3, max_recoveries = 0
         WHERE id = $1 RETURNING id`,
        [triggered.id, new Date(start + 30_000), new Date(start)],
      );
      expect(rows).toHaveLength(1);
      clock.advance(31_000);
      const rescuer = workerOn(engine.db, clock, 'rescuer');
      workers.push(rescuer);
      await rescuer.tick();
      const run = (await engine.test.db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [triggered.id])).rows[0]!;
      expect(outcome([run])).toEqual(['error/crashed']);
      const after = await engine.schedules.get(admin, schedule.id);
      expect(after.consecutive_failures).toBe(0);
      expect(await engine.schedules.events(admin, schedule.id, { kind: 'alert' })).toHaveLength(0);
    },
  );
});
