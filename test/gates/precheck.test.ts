import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { createRuns } from '../../src/runs/create-runs.ts';
import { resolveRunPolicy } from '../../src/runs/run-policy.ts';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { insertTrigger } from '../../src/store/triggers.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, type Engine } from '../engine/harness.ts';

/** A local endpoint a precheck calls: answers each request as `answer` says, counts them. */
interface CheckServer {
  url: string;
  requests: number;
  answer: (index: number) => { status?: number; body?: unknown; delayMs?: number };
  close(): Promise<void>;
}

async function startCheckServer(): Promise<CheckServer> {
  const sockets = new Set<import('node:net').Socket>();
  const state: CheckServer = {
    url: '',
    requests: 0,
    answer: () => ({ body: { items: 1 } }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    const index = state.requests++;
    const { status = 200, body = {}, delayMs = 0 } = state.answer(index);
    request.resume();
    setTimeout(() => {
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    }, delayMs);
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/check`;
  return state;
}

// The precheck gate in the worker: real PostgreSQL, a real worker, a local agent (requests
// counted there) and a local endpoint the precheck calls. Occurrences are created as the
// scheduler creates them (trigger `schedule`), one after the other, so that each sees the last.
describe('precheck (postgres)', () => {
  let engine: Engine | undefined;
  let check: CheckServer | undefined;
  afterEach(async () => {
    await engine?.close();
    await check?.close();
    engine = check = undefined;
  });

  async function setup() {
    engine = await createEngine('postgres');
    check = await startCheckServer();
    await engine.worker.start();
    return { e: engine, c: check };
  }
  const schedule = (e: Engine, body: Omit<ScheduleCreateInput, 'assistant_id' | 'schedule'>) =>
    e.schedules.create(admin, { assistant_id: e.assistantId, schedule: { cron: '0 0 1 1 *' }, ...body });

  let number = 0;
  /** One occurrence of the schedule (as the scheduler makes it), run to its end. */
  async function fire(e: Engine, owner: { scheduleId?: string; triggerId?: string }, input: unknown = 'hi') {
    const now = new Date();
    const [run] = await e.db.transaction((tx) =>
      createRuns(
        e.db,
        [
          {
            owner_id: localAdminId,
            assistant_id: e.assistantId,
            workflow_id: null,
            trigger: owner.scheduleId ? 'schedule' : 'event',
            schedule_id: owner.scheduleId ?? null,
            trigger_id: owner.triggerId ?? null,
            scheduled_for: owner.scheduleId ? new Date(now.getTime() + ++number) : null,
            run_number: number,
            not_before: now,
            start_deadline: null,
            input,
            policy: resolveRunPolicy({}),
            created_at: now,
          },
        ],
        tx,
      ),
    );
    return waitFor(
      async () => {
        const row = (await findRun(e.db, run!.id))!;
        return ['pending', 'running'].includes(row.status) ? undefined : row;
      },
      { timeoutMs: 20_000, message: `run ${run!.id} to finish` },
    );
  }
  const precheckEvent = async (e: Engine, run: RunRow) =>
    (await e.runs.events(admin, run.id)).find((event) => event.kind === 'precheck')?.data as Record<string, unknown>;

  it('true calls the agent; false records the occurrence skipped (precheck) and never calls it', async () => {
    const { e, c } = await setup();
    c.answer = (i) => ({ body: { count: i === 0 ? 2 : 0 } });
    const s = await schedule(e, {
      precheck: { http: { url: c.url }, condition: 'response.status == 200 && response.body.count > 0' },
    });
    const first = await fire(e, { scheduleId: s.id });
    expect(first).toMatchObject({ status: 'success', error_kind: null });
    expect(e.server.requests).toHaveLength(1);
    expect(await precheckEvent(e, first)).toMatchObject({ status: 200, verdict: true });

    const second = await fire(e, { scheduleId: s.id });
    expect(second).toMatchObject({ status: 'skipped', error_kind: 'precheck' });
    expect(second.error).toMatch(/precheck condition was false/);
    expect(e.server.requests).toHaveLength(1);
    expect(c.requests).toBe(2);
    expect(await precheckEvent(e, second)).toMatchObject({ status: 200, verdict: false });
    const stats = await e.schedules.stats(admin, s.id);
    expect(stats.skipped_by_reason).toEqual({ precheck: 1 });
  });

  it('a failed precheck follows on_error: run (the default) calls the agent, skip does not; a timeout too', async () => {
    const { e, c } = await setup();
    c.answer = () => ({ status: 200, body: 'not json at all' });
    // A condition that fails at run time (a string has no field) is an error, not false.
    const failing = await schedule(e, {
      name: 'fails',
      precheck: { http: { url: c.url }, condition: 'response.body.x > 1' },
    });
    const ran = await fire(e, { scheduleId: failing.id });
    expect(ran.status).toBe('success');
    expect(e.server.requests).toHaveLength(1);
    expect(await precheckEvent(e, ran)).toMatchObject({ verdict: null, on_error: 'run', error: expect.any(String) });

    const skipping = await schedule(e, {
      name: 'skips',
      precheck: { http: { url: c.url }, condition: 'response.body.x > 1', on_error: 'skip' },
    });
    const skipped = await fire(e, { scheduleId: skipping.id });
    expect(skipped).toMatchObject({ status: 'skipped', error_kind: 'precheck' });
    expect(skipped.error).toMatch(/precheck failed \(on_error: skip\)/);
    expect(e.server.requests).toHaveLength(1);

    c.answer = () => ({ delayMs: 3000, body: { ok: true } });
    const slowRun = await schedule(e, {
      name: 'slow-run',
      precheck: { http: { url: c.url }, condition: 'true', timeout: '200ms' },
    });
    const late = await fire(e, { scheduleId: slowRun.id });
    expect(late.status).toBe('success');
    expect(await precheckEvent(e, late)).toMatchObject({ verdict: null, timed_out: true, on_error: 'run' });
    expect(e.server.requests).toHaveLength(2);

    const slowSkip = await schedule(e, {
      name: 'slow-skip',
      precheck: { http: { url: c.url }, condition: 'true', timeout: 0.2, on_error: 'skip' },
    });
    const timedOut = await fire(e, { scheduleId: slowSkip.id });
    expect(timedOut).toMatchObject({ status: 'skipped', error_kind: 'precheck' });
    expect(timedOut.error).toMatch(/timed out after 200 ms/);
    expect(e.server.requests).toHaveLength(2);
  });

  it('"changed since last time": response.body != last_precheck across consecutive fires', async () => {
    const { e, c } = await setup();
    const bodies = [{ v: 1 }, { v: 1 }, { v: 2 }, { v: 2 }, { v: 3 }];
    c.answer = (i) => ({ body: bodies[i] });
    const s = await schedule(e, {
      precheck: { http: { url: c.url }, condition: 'response.body != last_precheck' },
    });
    const statuses: string[] = [];
    for (let i = 0; i < bodies.length; i++) statuses.push((await fire(e, { scheduleId: s.id })).status);
    expect(statuses).toEqual(['success', 'skipped', 'success', 'skipped', 'success']);
    expect(e.server.requests).toHaveLength(3);
  });

  it('without http the condition sees last_run, fire_at and input', async () => {
    const { e } = await setup();
    const s = await schedule(e, {
      precheck: {
        condition:
          "input.go == true && fire_at.getFullYear() >= 2020 && (last_run == null || last_run.status == 'success')",
      },
    });
    expect((await fire(e, { scheduleId: s.id }, { go: true })).status).toBe('success');
    expect((await fire(e, { scheduleId: s.id }, { go: false })).status).toBe('skipped');
    // The last finished run was skipped: the condition says no until one succeeds.
    expect((await fire(e, { scheduleId: s.id }, { go: true })).status).toBe('skipped');
    expect(e.server.requests).toHaveLength(1);
  });

  it("a trigger's precheck gates its deliveries' runs", async () => {
    const { e, c } = await setup();
    c.answer = (i) => ({ body: { open: i === 1 } });
    const trigger = await insertTrigger(e.db, localAdminId, {
      name: 'hook',
      target_kind: 'assistant',
      assistant_id: e.assistantId,
      workflow_id: null,
      input_template: null,
      auth: { type: 'none' },
      delivery_header: null,
      overlap: 'allow',
      max_concurrent: 1,
      timeout_ms: null,
      rate_limit_max: null,
      rate_limit_ms: null,
      enabled: true,
      metadata: {},
      debounce_ms: null,
      debounce_key: null,
      concurrency: null,
      priority: 3,
      precheck: { http: { url: c.url }, condition: 'response.body.open' },
    });
    expect((await fire(e, { triggerId: trigger.id })).status).toBe('skipped');
    expect((await fire(e, { triggerId: trigger.id })).status).toBe('success');
    expect(e.server.requests).toHaveLength(1);
    expect(c.requests).toBe(2);
  });
});
