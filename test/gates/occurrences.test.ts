import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createRuns } from '../../src/runs/create-runs.ts';
import { resolveRunPolicy } from '../../src/runs/run-policy.ts';
import { findRun } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, logger, type Engine } from '../engine/harness.ts';

// Every occurrence accounted for: each kind of skip in `skipped_by_reason`, in
// `kairos_occurrences_total{outcome,schedule}`, and `alert_on_skips` once per streak, whatever the
// reasons. Real PostgreSQL, a real worker pool; the agent is the pool's executor (calls counted).
describe('occurrences accounted for (postgres)', () => {
  let engine: Engine | undefined;
  let pool: WorkerPool | undefined;
  let hook: Server | undefined;
  afterEach(async () => {
    await pool?.close();
    await engine?.close();
    if (hook) await new Promise<void>((resolve) => hook!.close(() => resolve()));
    engine = pool = hook = undefined;
  });

  it('counts precheck, missed, overlap and paused skips, exports them and alerts once per streak', async () => {
    const e = (engine = await createEngine('postgres'));
    const alerts: Array<Record<string, unknown>> = [];
    hook = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        alerts.push(JSON.parse(text) as Record<string, unknown>);
        response.end();
      });
    });
    await new Promise<void>((resolve) => hook!.listen(0, '127.0.0.1', () => resolve()));
    const metrics = createMetrics({ scheduleLabel: true });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const calls: unknown[] = [];
    pool = new WorkerPool({
      db: e.db,
      clock: systemClock,
      logger,
      workerId: 'accounting',
      config: { slots: 4, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 5_000, startDeadlineMs: 300_000 },
      pollIntervalMs: 500,
      metrics,
      alertWebhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
      execute: async (run) => {
        calls.push(run.input);
        if ((run.input as { hold?: boolean }).hold) await held;
        return { output: 'ok' };
      },
    });
    await pool.start();
    const s = await e.schedules.create(admin, {
      assistant_id: e.assistantId,
      schedule: { cron: '0 0 1 1 *' },
      misfire: 'skip',
      alert_on_skips: 2,
      precheck: { condition: 'input.go' },
    });

    let number = 0;
    const fire = async (input: unknown, options: { late?: boolean; aheadMs?: number; wait?: boolean } = {}) => {
      const now = Date.now();
      const notBefore = options.late ? now - 10_000 : now + (options.aheadMs ?? 0);
      const [run] = await e.db.transaction((tx) =>
        createRuns(
          e.db,
          [
            {
              owner_id: localAdminId,
              assistant_id: e.assistantId,
              workflow_id: null,
              trigger: 'schedule',
              schedule_id: s.id,
              scheduled_for: new Date(notBefore),
              run_number: ++number,
              not_before: new Date(notBefore),
              start_deadline: options.late ? new Date(now - 5_000) : null,
              input,
              policy: resolveRunPolicy({}),
              created_at: new Date(now),
            },
          ],
          tx,
        ),
      );
      if (options.wait === false) return run!.id;
      await waitFor(async () => !['pending', 'running'].includes((await findRun(e.db, run!.id))!.status), {
        timeoutMs: 20_000,
        message: `run ${number} to end`,
      });
      return run!.id;
    };
    const statusOf = async (id: string) => (await findRun(e.db, id))!;

    expect((await statusOf(await fire({ go: true }))).status).toBe('success');
    expect(await statusOf(await fire({ go: false }))).toMatchObject({ status: 'skipped', error_kind: 'precheck' });
    expect(await statusOf(await fire({ go: true }, { late: true }))).toMatchObject({ error_kind: 'missed' });
    // Two in a row without a start (precheck, missed): the alert, once.
    await waitFor(() => alerts.length === 1, { message: 'the first skip alert' });
    expect(await statusOf(await fire({ go: false }))).toMatchObject({ error_kind: 'precheck' });
    expect((await statusOf(await fire({ go: true }))).status).toBe('success');
    // A running run; two more occurrences are skipped by the overlap policy: a new streak, a new alert.
    const running = await fire({ go: true, hold: true }, { wait: false });
    await waitFor(() => calls.length === 3, { message: 'the held run to be called' });
    expect(await statusOf(await fire({ go: true }))).toMatchObject({ status: 'skipped', error_kind: null });
    expect(await statusOf(await fire({ go: true }))).toMatchObject({ status: 'skipped', error_kind: null });
    await waitFor(() => alerts.length === 2, { message: 'the second skip alert' });
    release();
    await waitFor(async () => (await statusOf(running)).status === 'success');
    // A run created ahead of its time, cancelled by a pause.
    const ahead = await fire({ go: true }, { aheadMs: 3_600_000, wait: false });
    await e.schedules.pause(admin, s.id);
    expect((await statusOf(ahead)).status).toBe('cancelled');

    expect(calls).toHaveLength(3);
    const stats = await e.schedules.stats(admin, s.id);
    expect(stats.skipped_by_reason).toEqual({ precheck: 2, missed: 1, overlap: 2, paused: 1 });
    expect(alerts.map((alert) => alert.kind)).toEqual(['schedule.skip_streak', 'schedule.skip_streak']);
    expect(alerts[0]).toMatchObject({ alert_on_skips: 2, skips: 2, by_reason: { precheck: 1, missed: 1 } });
    expect(alerts[1]).toMatchObject({ skips: 2, by_reason: { overlap: 2 } });
    const events = await e.schedules.events(admin, s.id);
    expect(events.filter((event) => event.kind === 'skip_alert')).toHaveLength(2);

    const text = await metrics.text();
    const count = (outcome: string) =>
      Number(
        new RegExp(`kairos_occurrences_total\\{outcome="${outcome}",schedule="${s.id}"\\} (\\d+)`).exec(text)?.[1],
      );
    expect({
      started: count('started'),
      precheck: count('precheck'),
      missed: count('missed'),
      overlap: count('overlap'),
    }).toEqual({ started: 3, precheck: 2, missed: 1, overlap: 2 });
  });
});
