import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { findRun } from '../../src/store/runs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine } from './harness.ts';

// Backfill and pause-after-failures with real workers against a local HTTP assistant (PostgreSQL).
describe('operator controls with workers (postgres)', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  const schedule = (e: Engine, body: Omit<ScheduleCreateInput, 'assistant_id' | 'schedule'>) =>
    e.schedules.create(admin, { assistant_id: e.assistantId, schedule: { cron: '0 * * * *' }, ...body });
  const settled = (e: Engine, id: string, timeoutMs = 15_000) =>
    waitFor(
      async () => {
        const row = (await findRun(e.db, id))!;
        return row.status !== 'pending' && row.status !== 'running' ? row : undefined;
      },
      { timeoutMs, message: `run ${id} to finish` },
    );

  it('backfill runs obey max_concurrent, start in occurrence order, are never skipped, and do not starve other schedules', async () => {
    const e = (engine = await createEngine('postgres', { worker: { slots: 4 } }));
    e.server.behave(() => ({ kind: 'ok', delayMs: 150 }));
    await e.worker.start();
    // overlap skip: without waiting for a slot, every backfill run beyond the second would be skipped.
    const s = await schedule(e, { max_concurrent: 2, overlap: 'skip' });
    const other = await schedule(e, {});
    const now = Date.now();
    const hour = 3_600_000;
    const from = new Date(Math.floor(now / hour) * hour - 8 * hour - 1).toISOString();
    const to = new Date(Math.floor(now / hour) * hour - hour).toISOString();
    {
      const result = await e.schedules.backfill(admin, s.id, { from, to });
      expect(result.runs).toBe(8);
      const unrelated = await e.schedules.trigger(admin, other.id);
      const finished = await Promise.all(result.run_ids.map((id) => settled(e, id)));
      expect(finished.map((run) => run.status)).toEqual(Array(8).fill('success'));
      // The other schedule's run did not wait behind the backfill queue.
      const unrelatedRun = await settled(e, unrelated.id);
      expect(unrelatedRun.status).toBe('success');
      expect(unrelatedRun.started_at!.getTime()).toBeLessThan(
        Math.max(...finished.map((run) => run.started_at!.getTime())),
      );
      const started = [...finished].sort(
        (a, b) => a.started_at!.getTime() - b.started_at!.getTime() || a.not_before.getTime() - b.not_before.getTime(),
      );
      expect(started.map((run) => run.scheduled_for!.toISOString())).toEqual(result.scheduled_for);
    }
    const requests = e.server.requests.filter((request) => request.body.schedule_id === s.id);
    expect(requests.map((request) => request.body.trigger)).toEqual(Array(8).fill('backfill'));
    // At no instant were more than max_concurrent (2) of the schedule's runs in flight at the agent,
    // and two did run side by side. Measured where the limit is promised, at the agent: a request
    // is open from its arrival until its answer (150 ms later at the earliest). The runs' recorded
    // started_at is the claim pass's time, which can precede a finish committed during that pass.
    const open = requests.map((request) => ({ from: request.at, to: request.at + 150 }));
    for (const run of open) {
      const atStart = open.filter((other) => other !== run && other.from <= run.from && other.to > run.from).length + 1;
      expect(atStart).toBeLessThanOrEqual(2);
    }
    expect(open.some((run) => open.some((other) => other !== run && other.from < run.to && other.to > run.from))).toBe(
      true,
    );
    const { rows } = await e.db.query<{ status: string }>('SELECT status FROM runs WHERE schedule_id = $1', [s.id]);
    expect(rows.map((run) => run.status)).toEqual(Array(8).fill('success'));
  });

  it('pause_after_failures pauses the schedule when the streak reaches N: a paused event, the note, and the alert says so', async () => {
    const received: Array<Record<string, unknown>> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const e = (engine = await createEngine('postgres', {
        alertWebhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
      }));
      await e.worker.start();
      const s = await schedule(e, { alert_after: 2, pause_after_failures: 3 });
      expect(s.pause_after_failures).toBe(3);
      e.server.behave(() => ({ kind: 'fail', status: 500 }));
      for (let i = 0; i < 2; i++) await settled(e, (await e.schedules.trigger(admin, s.id)).id);
      expect((await e.schedules.get(admin, s.id)).status).toBe('active'); // alerted at 2, not yet paused
      await settled(e, (await e.schedules.trigger(admin, s.id)).id);
      const paused = await waitFor(async () => {
        const current = await e.schedules.get(admin, s.id);
        return current.status === 'paused' ? current : undefined;
      });
      expect(paused.paused).toMatchObject({ by: null, note: expect.stringMatching(/after 3 consecutive failures/) });
      expect(paused.next_run_at).toBeNull();
      const events = await e.schedules.events(admin, s.id, { kind: 'paused' });
      expect(events).toHaveLength(1);
      expect(events[0]!.data).toMatchObject({
        automatic: true,
        streak: 3,
        pause_after_failures: 3,
        last_error: { error_kind: 'assistant_error' },
      });
      await waitFor(() => received.length === 2);
      expect(received[0]).toMatchObject({ streak: 2 });
      expect(received[0]).not.toHaveProperty('paused');
      expect(received[1]).toMatchObject({
        kind: 'schedule.failure_streak',
        schedule: { id: s.id },
        streak: 3,
        paused: true,
        pause_after_failures: 3,
      });
      // Resuming starts the streak over: one more failure does not pause it again at once.
      const resumed = await e.schedules.resume(admin, s.id);
      expect(resumed).toMatchObject({ status: 'active', consecutive_failures: 0, paused: null });
      await settled(e, (await e.schedules.trigger(admin, s.id)).id);
      expect((await e.schedules.get(admin, s.id)).status).toBe('active');
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});
