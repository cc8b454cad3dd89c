import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { findRun } from '../../src/store/runs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine } from './harness.ts';

// Workers against a local HTTP assistant that can be slow, fail or hang: overlap, timeout,
// retry, crash recovery, capacity, shutdown, alerts. Real PostgreSQL, real clock, short times.
describe('running runs (postgres)', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function setup(worker: Parameters<typeof createEngine>[1] = {}) {
    engine = await createEngine('postgres', worker);
    return engine;
  }
  const schedule = (e: Engine, body: Omit<ScheduleCreateInput, 'assistant_id' | 'schedule'>) =>
    e.schedules.create(admin, { assistant_id: e.assistantId, schedule: { cron: '0 0 1 1 *' }, ...body });
  const run = async (e: Engine, id: string) => (await findRun(e.db, id))!;
  const settled = (e: Engine, id: string, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        const row = await run(e, id);
        return row.status !== 'pending' && row.status !== 'running' ? row : undefined;
      },
      { timeoutMs, message: `run ${id} to finish` },
    );

  it('executes a run through the http assistant: body, Idempotency-Key, output, duration, trace', async () => {
    const e = await setup();
    e.server.behave(() => ({ kind: 'ok', delayMs: 30, output: { summary: 'done' } }));
    await e.worker.start();
    const s = await schedule(e, { input_template: 'hello #{{run_number}}' });
    const manual = await e.schedules.trigger(admin, s.id);
    const done = await settled(e, manual.id);
    expect(done).toMatchObject({
      status: 'success',
      output: { summary: 'done' },
      attempt: 1,
      error_kind: null,
      trigger: 'manual',
      run_number: 1,
    });
    expect(done.duration_ms).toBeGreaterThanOrEqual(25);
    const request = e.server.requests[0]!;
    expect(request.headers['idempotency-key']).toBe(manual.id);
    expect(request.body).toMatchObject({
      run_id: manual.id,
      schedule_id: s.id,
      trigger: 'manual',
      run_number: 1,
      attempt: 1,
      input: 'hello #1',
    });
    expect((await e.schedules.get(admin, s.id)).next_run_at).toBe(s.next_run_at);
    const events = await e.runs.events(admin, manual.id);
    expect(events.map((event) => event.kind)).toEqual(expect.arrayContaining(['attempt_started', 'attempt_finished']));
  });

  it('overlap skip records a skipped run (run_number counted); override runs side by side', async () => {
    const e = await setup();
    e.server.behave((_, i) => (i === 0 ? { kind: 'ok', delayMs: 600 } : { kind: 'ok' }));
    await e.worker.start();
    const s = await schedule(e, { skip_if_running: true });
    const first = await e.schedules.trigger(admin, s.id);
    await waitFor(() => e.server.requests.length === 1);
    const second = await e.schedules.trigger(admin, s.id);
    const skipped = await settled(e, second.id);
    expect(skipped).toMatchObject({ status: 'skipped', run_number: 2 });
    expect(skipped.error).toMatch(/maximum of concurrent runs/);
    const forced = await e.schedules.trigger(admin, s.id, { overlap: 'override' });
    expect((await settled(e, forced.id)).status).toBe('success');
    expect((await settled(e, first.id)).status).toBe('success');
    expect(e.server.requests.map((r) => r.body.run_number)).toEqual([1, 3]);
  });

  it('overlap queue keeps one waiting and starts it when the previous ends', async () => {
    const e = await setup();
    e.server.behave(() => ({ kind: 'ok', delayMs: 300 }));
    await e.worker.start();
    const s = await schedule(e, { overlap: 'queue' });
    const a = await e.schedules.trigger(admin, s.id);
    await waitFor(() => e.server.requests.length === 1);
    const b = await e.schedules.trigger(admin, s.id);
    const c = await e.schedules.trigger(admin, s.id);
    expect((await settled(e, c.id)).status).toBe('skipped');
    const [ra, rb] = [await settled(e, a.id), await settled(e, b.id)];
    expect([ra.status, rb.status]).toEqual(['success', 'success']);
    expect(rb.started_at!.getTime()).toBeGreaterThanOrEqual(ra.finished_at!.getTime());
  });

  it('overlap allow runs up to max_concurrent side by side, across replicas', async () => {
    const e = await setup();
    const other = e.replica();
    let open = 0;
    let peak = 0;
    e.server.behave(() => {
      peak = Math.max(peak, ++open);
      setTimeout(() => open--, 300);
      return { kind: 'ok', delayMs: 300 };
    });
    await e.worker.start();
    await other.worker.start();
    const s = await schedule(e, { overlap: 'allow', max_concurrent: 2 });
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await e.schedules.trigger(admin, s.id));
    for (const r of runs) expect((await settled(e, r.id)).status).toBe('success');
    expect(peak).toBe(2);
  });

  it('overlap cancel_previous aborts the running run, then starts the new one', async () => {
    const e = await setup();
    e.server.behave((_, i) => (i === 0 ? { kind: 'hang' } : { kind: 'ok' }));
    await e.worker.start();
    const s = await schedule(e, { overlap: 'cancel_previous' });
    const a = await e.schedules.trigger(admin, s.id);
    await waitFor(() => e.server.requests.length === 1);
    const b = await e.schedules.trigger(admin, s.id);
    expect(await settled(e, a.id)).toMatchObject({ status: 'cancelled', error_kind: 'cancelled' });
    expect((await settled(e, b.id)).status).toBe('success');
  });

  it('a timeout aborts the run and records status timeout', async () => {
    const e = await setup();
    e.server.behave(() => ({ kind: 'hang' }));
    await e.worker.start();
    const s = await schedule(e, { timeout: 0.3 });
    const r = await e.schedules.trigger(admin, s.id);
    const done = await settled(e, r.id);
    expect(done).toMatchObject({ status: 'timeout', error_kind: 'timeout', attempt: 1 });
    expect(done.duration_ms).toBeGreaterThanOrEqual(290);
    expect(done.duration_ms).toBeLessThan(3000);
    await waitFor(() => e.server.open() === 0, { message: 'the aborted request to close' });
  });

  it('retries with exponential backoff on the same run (same Idempotency-Key), recording each attempt', async () => {
    const e = await setup();
    e.server.behave((_, i) => (i < 2 ? { kind: 'fail', status: 503 } : { kind: 'ok' }));
    await e.worker.start();
    const s = await schedule(e, { retry: { max_attempts: 3, backoff: { initial_s: 0.1, factor: 2 } } });
    const r = await e.schedules.trigger(admin, s.id);
    const done = await settled(e, r.id);
    expect(done).toMatchObject({ status: 'success', attempt: 3, error_kind: null });
    expect(e.server.requests.map((q) => [q.headers['idempotency-key'], q.body.attempt])).toEqual([
      [r.id, 1],
      [r.id, 2],
      [r.id, 3],
    ]);
    const gaps = [
      e.server.requests[1]!.at - e.server.requests[0]!.at,
      e.server.requests[2]!.at - e.server.requests[1]!.at,
    ];
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    const failed = (await e.runs.events(admin, r.id)).filter((event) => event.kind === 'attempt_failed');
    expect(failed.map((event) => event.data)).toEqual([
      expect.objectContaining({ attempt: 1, error_kind: 'assistant_error', retry_in_ms: 100 }),
      expect.objectContaining({ attempt: 2, error_kind: 'assistant_error', retry_in_ms: 200 }),
    ]);
  });

  it('a failure after the last attempt is an error with reason assistant_error, status and body excerpt', async () => {
    const e = await setup();
    e.server.behave(() => ({ kind: 'fail', status: 500 }));
    await e.worker.start();
    const s = await schedule(e, { retry: { max_attempts: 2, backoff: 'none' } });
    const done = await settled(e, (await e.schedules.trigger(admin, s.id)).id);
    expect(done).toMatchObject({ status: 'error', error_kind: 'assistant_error', attempt: 2 });
    expect(done.error).toMatch(/500.*failure 500/);
  });

  it('recovers a run whose worker died: resumed without using up an attempt, else crashed; the dead worker cannot write', async () => {
    const e = await setup({ worker: { leaseMs: 300 } });
    e.server.behave((_, i) => (i === 0 ? { kind: 'hang' } : { kind: 'ok' }));
    // One attempt only: the recovery does not use it up.
    const s = await schedule(e, { retry: { max_attempts: 1 } });
    const r = await e.schedules.trigger(admin, s.id);
    // This worker claims the run and then "dies": it never heart-beats (its loop is not running).
    expect((await e.worker.tick()).map((x) => x.id)).toEqual([r.id]);
    const rescuer = e.replica({ worker: { leaseMs: 300 } });
    await waitFor(async () => (await rescuer.worker.tick()).length > 0, {
      message: 'the rescuer to take the run over',
    });
    const done = await settled(e, r.id);
    expect(done).toMatchObject({ status: 'success', attempt: 2, recoveries: 1, max_attempts: 1 });
    const recovered = (await e.runs.events(admin, r.id)).find((event) => event.kind === 'recovered');
    expect(recovered?.data).toMatchObject({ attempt: 2, recovery: 1, max_recoveries: 3, worker: 'replica-0' });
    // The same Idempotency-Key (the run id) both times: the agent can tell it is the same work.
    expect(e.server.requests.map((request) => request.headers['idempotency-key'])).toEqual([r.id, r.id]);

    // Out of recoveries (max_recoveries 0 here) and attempts: crashed.
    const s2 = await schedule(e, { name: 'no retries' });
    e.server.behave(() => ({ kind: 'hang' }));
    const r2 = await e.schedules.trigger(admin, s2.id);
    await e.test.db.query('UPDATE runs SET max_recoveries = 0 WHERE id = $1', [r2.id]);
    await e.worker.tick();
    await waitFor(async () => {
      await rescuer.worker.tick();
      return (await run(e, r2.id)).status === 'error';
    });
    expect(await run(e, r2.id)).toMatchObject({ status: 'error', error_kind: 'crashed', attempt: 1 });
    await e.server.close(); // the dead worker's requests fail now; its fenced writes must change nothing
    await e.worker.idle();
    expect(await run(e, r2.id)).toMatchObject({ status: 'error', error_kind: 'crashed' });
    expect((await run(e, r.id)).status).toBe('success');
  });

  it('a run that cannot start within its start deadline because every slot is busy ends as capacity', async () => {
    const e = await setup({ worker: { slots: 1, startDeadlineMs: 300, shutdownGraceMs: 50 } });
    e.server.behave(() => ({ kind: 'hang' }));
    const busy = await e.runs.create(admin, { assistant_id: e.assistantId, timeout: 5 });
    expect(await e.worker.tick()).toHaveLength(1);
    const starved = await e.runs.create(admin, { assistant_id: e.assistantId });
    await waitFor(async () => {
      await e.worker.tick();
      return (await run(e, starved.id)).status !== 'pending';
    });
    expect(await run(e, starved.id)).toMatchObject({ status: 'error', error_kind: 'capacity' });
    expect((await run(e, busy.id)).status).toBe('running');
  });

  it('graceful shutdown lets short runs finish and hands the rest to another replica at once', async () => {
    const e = await setup({ worker: { shutdownGraceMs: 400 } });
    e.server.behave((request) =>
      request.body.input === 'short'
        ? { kind: 'ok', delayMs: 100 }
        : request.body.attempt === 1 && e.server.requests.length <= 2
          ? { kind: 'hang' }
          : { kind: 'ok' },
    );
    await e.worker.start();
    const short = await e.runs.create(admin, { assistant_id: e.assistantId, input: 'short' });
    const long = await e.runs.create(admin, { assistant_id: e.assistantId, input: 'long' });
    await waitFor(() => e.server.requests.length === 2);
    const started = Date.now();
    await e.worker.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await run(e, short.id)).status).toBe('success');
    const released = await run(e, long.id);
    expect(released).toMatchObject({ status: 'pending', lease_owner: null, attempt: 1 });
    const other = e.replica();
    await other.worker.tick();
    expect((await settled(e, long.id)).status).toBe('success');
  });

  it('records one alert per failure streak and posts it to the webhook', async () => {
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      const e = await setup({ alertWebhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts` });
      await e.worker.start();
      const s = await schedule(e, { alert_after: 2 });
      const fire = async (ok: boolean) => {
        e.server.behave(() => (ok ? { kind: 'ok' } : { kind: 'fail', status: 500 }));
        return settled(e, (await e.schedules.trigger(admin, s.id)).id);
      };
      for (const ok of [false, false, false, true, false, false]) await fire(ok);
      const alerts = await e.schedules.events(admin, s.id, { kind: 'alert' });
      expect(alerts).toHaveLength(2);
      await waitFor(() => received.length === 2);
      expect(received[0]).toMatchObject({
        kind: 'schedule.failure_streak',
        schedule: { id: s.id },
        streak: 2,
        last_error: { error_kind: 'assistant_error' },
      });
      const stats = await e.schedules.stats(admin, s.id, { windowMs: 3_600_000 });
      expect(stats).toMatchObject({
        total: 6,
        by_status: { error: 5, success: 1 },
        by_reason: { assistant_error: 5 },
        consecutive_failures: 2,
      });
      expect(stats.success_rate).toBeCloseTo(1 / 6);
      expect(stats.p50_duration_ms).not.toBeNull();
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });

  it('api runs: create outside schedules, wait for the result, cancel a running one', async () => {
    const e = await setup();
    e.server.behave((request) =>
      request.body.input === 'hang' ? { kind: 'hang' } : { kind: 'ok', output: { echo: request.body.input } },
    );
    await e.worker.start();
    const created = await e.runs.create(admin, { assistant_id: e.assistantId, input: 'hi' });
    expect(created).toMatchObject({ trigger: 'api', status: 'pending', schedule_id: null });
    const done = await e.runs.wait(admin, created.id, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'success', output: { echo: 'hi' } });
    const hanging = await e.runs.create(admin, { assistant_id: e.assistantId, input: 'hang' });
    await waitFor(async () => (await run(e, hanging.id)).status === 'running');
    const early = await e.runs.wait(admin, hanging.id, { timeoutMs: 100 });
    expect(early.status).toBe('running');
    await e.runs.cancel(admin, hanging.id);
    expect(await e.runs.wait(admin, hanging.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'cancelled',
      error_kind: 'cancelled',
    });
    await expect(e.runs.cancel(admin, hanging.id)).rejects.toMatchObject({ code: 'run_finished', status: 409 });
    await expect(
      e.runs.get({ userId: '00000000-0000-0000-0000-0000000000ff', role: 'member' }, done.id),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
