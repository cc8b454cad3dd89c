import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { findSchedule } from '../../src/store/schedules.ts';
import { WaitService } from '../../src/waits/wait-service.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createEngine, engineAssistants, ManualClock, type Engine } from './harness.ts';

// Day and month budgets (docs/gates.md "Budgets"), checked in the worker's claim against the
// spend recorded so far: stop, pause and ask (approve, reject), the day in the schedule's zone,
// dollars by the price table, and two replicas racing for the last of a daily budget.
describe('budgets before a run starts', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  /** The agent answers with this usage (an http agent's `usage` is recorded on the run). */
  const spending = (e: Engine, usage: Record<string, number>, delayMs = 0) =>
    e.server.behave(() => ({ kind: 'ok', delayMs, output: { answer: 'done', usage } }));
  const schedule = (e: Engine, body: Omit<ScheduleCreateInput, 'assistant_id' | 'schedule'>, timezone = 'UTC') =>
    e.schedules.create(admin, {
      assistant_id: e.assistantId,
      schedule: { cron: '0 0 1 1 *', timezone },
      ...body,
    });
  const settled = (e: Engine, id: string) =>
    waitFor(
      async () => {
        const row = (await findRun(e.db, id))!;
        return row.status !== 'pending' && row.status !== 'running' ? row : undefined;
      },
      { timeoutMs: 15_000, message: `run ${id} to settle` },
    );
  /** A manual trigger (it counts against the schedule), claimed by one pass, settled. */
  const fire = async (e: Engine, scheduleId: string): Promise<RunRow> => {
    const run = await e.schedules.trigger(admin, scheduleId);
    await e.worker.tick();
    await e.worker.idle();
    return settled(e, run.id);
  };

  it.each(['postgres', 'pglite'] as const)(
    'stop (%s): a run past tokens_per_day is skipped (budget) and the agent is not called',
    async (kind) => {
      const e = (engine = await createEngine(kind, { clock: new ManualClock(Date.parse('2026-03-10T10:00:00Z')) }));
      spending(e, { total_tokens: 60 });
      const s = await schedule(e, { name: 'stop', budget: { tokens_per_day: 100, on_exceed: 'stop' } });
      expect((await fire(e, s.id)).status).toBe('success');
      expect((await fire(e, s.id)).status).toBe('success');
      const third = await fire(e, s.id);
      expect(third).toMatchObject({ status: 'skipped', error_kind: 'budget' });
      expect(third.error).toContain('120 tokens of its 100 tokens per day (tokens_per_day)');
      expect(e.server.requests).toHaveLength(2);
      // `stop` leaves the schedule as it is.
      const { rows } = await e.db.query<{ enabled: boolean }>('SELECT enabled FROM schedules WHERE id = $1', [s.id]);
      expect(rows[0]!.enabled).toBe(true);
    },
    120_000,
  );

  it("the day is the schedule's: a new day in Asia/Tokyo admits runs again while UTC's day goes on", async () => {
    const clock = new ManualClock(Date.parse('2026-03-10T13:00:00Z')); // 22:00 in Tokyo
    const e = (engine = await createEngine('postgres', { clock }));
    spending(e, { total_tokens: 100 });
    const s = await schedule(e, { name: 'tokyo', budget: { tokens_per_day: 100, on_exceed: 'stop' } }, 'Asia/Tokyo');
    expect((await fire(e, s.id)).status).toBe('success');
    clock.set('2026-03-10T14:59:00Z'); // 23:59 in Tokyo: the same day, spent
    expect((await fire(e, s.id)).status).toBe('skipped');
    clock.set('2026-03-10T15:01:00Z'); // 00:01 on the 11th in Tokyo (still the 10th in UTC)
    expect((await fire(e, s.id)).status).toBe('success');
    expect(e.server.requests).toHaveLength(2);
  }, 120_000);

  it('pause: the schedule is paused with a note naming the budget, the run skipped', async () => {
    const e = (engine = await createEngine('postgres', { clock: new ManualClock(Date.parse('2026-03-10T10:00:00Z')) }));
    spending(e, { total_tokens: 150 });
    const s = await schedule(e, { name: 'pause', budget: { tokens_per_day: 100, on_exceed: 'pause' } });
    expect((await fire(e, s.id)).status).toBe('success');
    const second = await fire(e, s.id);
    expect(second).toMatchObject({ status: 'skipped', error_kind: 'budget' });
    const row = (await findSchedule(e.db, s.id))!;
    expect(row.enabled).toBe(false);
    expect(row.paused_by).toBeNull();
    expect(row.pause_note).toContain('tokens_per_day');
    expect(row.pause_note).toContain('150 tokens of its 100 tokens per day');
    expect((await e.schedules.get(admin, s.id)).status).toBe('paused');
  });

  it('ask: the run waits for an approval showing the spend and the limit; approved, it starts; rejected, it is skipped', async () => {
    const clock = new ManualClock(Date.parse('2026-03-10T10:00:00Z'));
    const e = (engine = await createEngine('postgres', { clock }));
    const waits = new WaitService({ db: e.db, clock });
    spending(e, { total_tokens: 80 });
    const s = await schedule(e, { name: 'ask', budget: { tokens_per_day: 50, on_exceed: 'ask' } });
    expect((await fire(e, s.id)).status).toBe('success');
    const asked = await fire(e, s.id);
    expect(asked.status).toBe('waiting');
    expect(asked.waiting_for).toMatchObject({ kind: 'approval', node: 'budget' });
    const inbox = await waits.approvals(admin, { status: 'pending', limit: 10, offset: 0 });
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]!.prompt).toContain('80 tokens of its 50 tokens per day');
    expect(e.server.requests).toHaveLength(1);

    await waits.decide(admin, asked.id, { approved: true });
    await e.worker.tick();
    await e.worker.idle();
    expect((await settled(e, asked.id)).status).toBe('success');
    expect(e.server.requests).toHaveLength(2);

    const again = await fire(e, s.id);
    expect(again.status).toBe('waiting');
    await waits.decide(admin, again.id, { approved: false, comment: 'enough for today' });
    await e.worker.tick();
    const rejected = await settled(e, again.id);
    expect(rejected).toMatchObject({ status: 'skipped', error_kind: 'budget' });
    expect(rejected.error).toContain('rejected');
    expect(e.server.requests).toHaveLength(2);
  });

  it('usd_per_day and usd_per_month by the price table, the month in the zone', async () => {
    const clock = new ManualClock(Date.parse('2026-03-30T10:00:00Z'));
    const e = (engine = await createEngine('postgres', {
      clock,
      pricing: { '*': { input_per_1k: 0.1, output_per_1k: 0.1 } },
    }));
    // 60 tokens at $0.0001 each: $0.006 a run.
    spending(e, { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 });
    const month = await schedule(e, { name: 'month', budget: { usd_per_month: 0.01, on_exceed: 'stop' } });
    expect((await fire(e, month.id)).status).toBe('success');
    expect((await fire(e, month.id)).status).toBe('success');
    clock.set('2026-03-31T10:00:00Z');
    const over = await fire(e, month.id);
    expect(over).toMatchObject({ status: 'skipped', error_kind: 'budget' });
    expect(over.error).toContain('usd_per_month');
    clock.set('2026-04-01T00:30:00Z');
    expect((await fire(e, month.id)).status).toBe('success');

    const day = await schedule(e, { name: 'day', budget: { usd_per_day: 0.005, on_exceed: 'stop' } });
    expect((await fire(e, day.id)).status).toBe('success');
    expect((await fire(e, day.id)).status).toBe('skipped');
  });

  it("two replicas racing for the last of a daily budget (an assistant's, in UTC): exactly one run starts", async () => {
    const e = (engine = await createEngine('postgres', { worker: { slots: 1 } }));
    const other = e.replica({ worker: { slots: 1 } });
    await engineAssistants(e.db).update(admin, e.assistantId, { budget: { tokens_per_day: 100, on_exceed: 'stop' } });
    spending(e, { total_tokens: 60 });
    // Two schedules of the assistant: each replica's claim takes one (their schedule locks differ).
    const s1 = await schedule(e, { name: 'race-1' });
    const s2 = await schedule(e, { name: 'race-2' });
    expect((await fire(e, s1.id)).status).toBe('success');
    await other.worker.tick(); // its connections and maintenance warmed up: the race is the claim's
    // 60 of 100 spent: one more run fits, a second only if the first spends nothing. The first
    // stays in flight (3 s) well past both claims.
    spending(e, { total_tokens: 60 }, 3000);
    const a = await e.schedules.trigger(admin, s1.id);
    const b = await e.schedules.trigger(admin, s2.id);
    const [mine, theirs] = await Promise.all([e.worker.tick(), other.worker.tick()]);
    expect(mine.length + theirs.length).toBe(1);
    const startedId = [...mine, ...theirs][0]!.id;
    const heldId = startedId === a.id ? b.id : a.id;
    const held = (await findRun(e.db, heldId))!;
    expect(held).toMatchObject({ status: 'pending', held_reason: 'budget' });
    await e.worker.idle();
    await other.worker.idle();
    expect((await settled(e, startedId)).status).toBe('success');
    // The run in flight finished (120 spent): the held run is decided again and stopped.
    await other.worker.tick();
    await e.worker.tick();
    expect(await settled(e, heldId)).toMatchObject({ status: 'skipped', error_kind: 'budget' });
    expect(e.server.requests).toHaveLength(2);
  });
});
