import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { admin, createEngine, ManualClock, type Engine } from './harness.ts';

// The scheduler on an injected clock: exact occurrences across zones, DST, misfire after an
// outage, end_at, at, every, jitter, pause/resume, templates. Workers are not involved.
describe.each(databaseKinds)('firing on an injected clock (%s)', (kind) => {
  let engine: Engine;
  const clock = new ManualClock(Date.parse('2026-03-06T12:00:00Z'));

  beforeAll(async () => {
    engine = await createEngine(kind, { clock, maxCatchupPerPass: 100 });
  });
  afterAll(() => engine?.close());

  const create = (body: Omit<ScheduleCreateInput, 'assistant_id'>) =>
    engine.schedules.create(admin, { assistant_id: engine.assistantId, ...body });
  const times = async (id: string) => (await engine.runsOf(id)).map((run) => run.scheduled_for!.toISOString());

  /** Moves the clock to just before the schedule's next fire time and runs one scheduler pass. */
  async function fireNext(id: string, count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      const schedule = await engine.schedules.get(admin, id);
      if (!schedule.next_run_at) return;
      clock.set(Date.parse(schedule.next_run_at) - 1000);
      await engine.scheduler.tick();
    }
  }

  it('accepts the agent-server object verbatim and fires it at 9:00 New York time on weekdays, with its template', async () => {
    clock.set('2026-03-06T12:00:00Z');
    const schedule = await create({
      schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
      input_template: 'Generate the daily summary for {{date}}.',
      session_mode: 'new',
      max_concurrent: 1,
      skip_if_running: true,
      timeout: 300,
    });
    expect(schedule).toMatchObject({
      session_mode: 'new',
      max_concurrent: 1,
      skip_if_running: true,
      overlap: 'skip',
      timeout: 300,
      misfire: 'run_once',
      catchup_window: 3600,
      status: 'active',
    });
    // Friday 07:00 EST in New York → 09:00 EST = 14:00Z; after the weekend (DST began on
    // Sunday 8 March) 09:00 EDT = 13:00Z.
    expect(schedule.next_run_at).toBe('2026-03-06T14:00:00.000Z');
    await fireNext(schedule.id, 3);
    const runs = await engine.runsOf(schedule.id);
    expect(runs.map((run) => run.scheduled_for!.toISOString())).toEqual([
      '2026-03-06T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
    ]);
    expect(runs.map((run) => run.input)).toEqual([
      'Generate the daily summary for 2026-03-06.',
      'Generate the daily summary for 2026-03-09.',
      'Generate the daily summary for 2026-03-10.',
    ]);
    expect(runs.map((run) => run.run_number)).toEqual([1, 2, 3]);
    expect(runs.every((run) => run.trigger === 'schedule' && run.status === 'pending')).toBe(true);
    expect((await engine.schedules.get(admin, schedule.id)).next_run_at).toBe('2026-03-11T13:00:00.000Z');
  });

  it('follows DST in America/New_York: a fixed job in the spring gap fires once after it; on the fall-back day once', async () => {
    clock.set('2026-03-07T12:00:00Z');
    const spring = await create({ schedule: { cron: '30 2 * * *', timezone: 'America/New_York' } });
    await fireNext(spring.id, 3);
    // 7 March 02:30 EST = 07:30Z; 8 March 02:30 does not exist → 03:00 EDT = 07:00Z; 9 March 02:30 EDT = 06:30Z.
    expect(await times(spring.id)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    clock.set('2026-10-31T12:00:00Z');
    const fall = await create({ schedule: { cron: '30 1 * * *', timezone: 'America/New_York' } });
    await fireNext(fall.id, 2);
    // 1 November 01:30 happens twice (EDT 05:30Z, EST 06:30Z): a fixed job fires at the first.
    expect(await times(fall.id)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('follows DST in Europe/London, where a wild job fires at both repeated instants', async () => {
    clock.set('2026-10-25T00:10:00Z');
    const wild = await create({ schedule: { cron: '*/30 * * * *', timezone: 'Europe/London' } });
    await fireNext(wild.id, 4);
    // 01:00 BST (00:00Z) was past at creation; 01:30 BST, then 01:00 and 01:30 GMT again, then 02:00 GMT.
    expect(await times(wild.id)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
    clock.set('2026-03-28T12:00:00Z');
    const fixed = await create({ schedule: { cron: '30 1 * * *', timezone: 'Europe/London' } });
    await fireNext(fixed.id, 2);
    // 29 March 01:30 does not exist (01:00 GMT → 02:00 BST): fires once at 02:00 BST = 01:00Z.
    expect(await times(fixed.id)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it.each([
    ['skip', [], 5],
    ['run_once', ['2026-04-01T05:00:00.000Z'], 4],
    ['run_all', ['2026-04-01T03:00:00.000Z', '2026-04-01T04:00:00.000Z', '2026-04-01T05:00:00.000Z'], 2],
  ] as const)(
    'misfire %s after an outage fires what the policy says, within the catch-up window',
    async (misfire, expected, missed) => {
      clock.set('2026-04-01T00:30:00Z');
      const schedule = await create({ schedule: { cron: '0 * * * *' }, misfire, catchup_window: '3h' });
      clock.set('2026-04-01T05:10:00Z'); // down from 00:30 to 05:10: 01:00 … 05:00 missed; the window starts 02:10
      await engine.scheduler.tick();
      await engine.scheduler.tick();
      expect(await times(schedule.id)).toEqual(expected);
      const after = await engine.schedules.get(admin, schedule.id);
      expect(after.missed_count).toBe(missed);
      expect(after.next_run_at).toBe('2026-04-01T06:00:00.000Z');
      if (misfire === 'run_once')
        expect((await engine.runsOf(schedule.id))[0]!.metadata).toEqual({
          misfire: { policy: 'run_once', coalesced: 2 },
        });
      const events = await engine.schedules.events(admin, schedule.id, { kind: 'missed' });
      expect(events[0]?.data).toMatchObject({ count: missed, policy: misfire });
    },
  );

  it('bounds run_all by the hard cap per pass and continues in the next pass', async () => {
    const capped = await createEngine(kind, { clock, maxCatchupPerPass: 2 });
    try {
      clock.set('2026-04-02T00:30:00Z');
      const schedule = await capped.schedules.create(admin, {
        assistant_id: capped.assistantId,
        schedule: { cron: '*/10 * * * *' },
        misfire: 'run_all',
      });
      clock.set('2026-04-02T01:05:00Z'); // 00:40 … 01:00 missed: 3 occurrences
      const first = await capped.scheduler.tick();
      expect(first.created).toBe(2);
      const second = await capped.scheduler.tick();
      expect(second.created).toBe(1);
      expect((await capped.runsOf(schedule.id)).map((run) => run.scheduled_for!.toISOString())).toEqual([
        '2026-04-02T00:40:00.000Z',
        '2026-04-02T00:50:00.000Z',
        '2026-04-02T01:00:00.000Z',
      ]);
    } finally {
      await capped.close();
    }
  });

  it('honours start_at and an exclusive end_at, then completes', async () => {
    clock.set('2026-05-01T08:00:00Z');
    const schedule = await create({
      schedule: { every: '1h' },
      start_at: '2026-05-01T10:00:00Z',
      end_at: '2026-05-01T12:00:00Z',
    });
    expect(schedule.next_run_at).toBe('2026-05-01T10:00:00.000Z');
    await fireNext(schedule.id, 5);
    expect(await times(schedule.id)).toEqual(['2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z']);
    const after = await engine.schedules.get(admin, schedule.id);
    expect(after.status).toBe('completed');
    expect(after.next_run_at).toBeNull();
  });

  it('fires an `at` schedule once and completes; max_runs completes after that many', async () => {
    clock.set('2026-05-02T08:00:00Z');
    const once = await create({ schedule: { at: '2026-05-02T09:15:00Z' } });
    await fireNext(once.id, 2);
    expect(await times(once.id)).toEqual(['2026-05-02T09:15:00.000Z']);
    expect((await engine.schedules.get(admin, once.id)).status).toBe('completed');
    const limited = await create({ schedule: { cron: '0 * * * *' }, max_runs: 2 });
    await fireNext(limited.id, 4);
    expect(await times(limited.id)).toEqual(['2026-05-02T10:00:00.000Z', '2026-05-02T11:00:00.000Z']);
    expect((await engine.schedules.get(admin, limited.id)).status).toBe('completed');
  });

  it('anchors `every` at creation time', async () => {
    clock.set('2026-05-03T10:00:07Z');
    const schedule = await create({ schedule: { every: '15m' } });
    expect(schedule.schedule).toEqual({ every: 900, anchor: '2026-05-03T10:00:07.000Z', timezone: 'UTC' });
    await fireNext(schedule.id, 3);
    expect(await times(schedule.id)).toEqual([
      '2026-05-03T10:15:07.000Z',
      '2026-05-03T10:30:07.000Z',
      '2026-05-03T10:45:07.000Z',
    ]);
  });

  it('spreads fires by deterministic jitter, never past the next occurrence', async () => {
    clock.set('2026-05-04T10:00:30Z');
    const wide = await create({ schedule: { cron: '* * * * *' }, jitter: 3600 });
    const narrow = await create({ schedule: { cron: '*/5 * * * *' }, jitter: 10 });
    await fireNext(wide.id, 20);
    await fireNext(narrow.id, 10);
    const delays = async (id: string) =>
      (await engine.runsOf(id)).map((run) => run.not_before.getTime() - run.scheduled_for!.getTime());
    const wideDelays = await delays(wide.id);
    const narrowDelays = await delays(narrow.id);
    expect(wideDelays.length).toBeGreaterThanOrEqual(20);
    expect(Math.min(...wideDelays, ...narrowDelays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...wideDelays)).toBeLessThan(60_000);
    expect(Math.max(...narrowDelays)).toBeLessThanOrEqual(10_000);
    expect(new Set(wideDelays).size).toBeGreaterThan(10);
  });

  it('pause keeps the configuration; resume fires nothing missed under skip, and one run under run_once', async () => {
    clock.set('2026-06-01T00:30:00Z');
    const skip = await create({
      schedule: { cron: '0 * * * *' },
      misfire: 'skip',
      input_template: { text: 'x' },
      metadata: { team: 'a' },
    });
    const once = await create({ schedule: { cron: '0 * * * *' } });
    const paused = await engine.schedules.pause(admin, skip.id);
    await engine.schedules.pause(admin, once.id);
    expect(paused.status).toBe('paused');
    expect(paused.next_run_at).toBeNull();
    clock.set('2026-06-01T03:10:00Z');
    await engine.scheduler.tick();
    expect(await times(skip.id)).toEqual([]);
    const resumed = await engine.schedules.resume(admin, skip.id);
    const { status: _a, updated_at: _b, version: _c, next_run_at, enabled: _d, ...config } = resumed;
    const { status: _e, updated_at: _f, version: _g, next_run_at: _h, enabled: _i, ...before } = skip;
    expect(config).toEqual(before);
    expect(next_run_at).toBe('2026-06-01T04:00:00.000Z');
    await engine.schedules.resume(admin, once.id);
    await engine.scheduler.tick();
    expect(await times(skip.id)).toEqual([]);
    expect(await times(once.id)).toEqual(['2026-06-01T03:00:00.000Z']);
  });

  it('recomputes the next fire time when the schedule or zone changes, and only then', async () => {
    clock.set('2026-06-02T00:00:00Z');
    const schedule = await create({ schedule: { cron: '0 12 * * *' } });
    expect(schedule.next_run_at).toBe('2026-06-02T12:00:00.000Z');
    const renamed = await engine.schedules.update(admin, schedule.id, { name: 'renamed', metadata: { a: 1 } });
    expect(renamed.next_run_at).toBe('2026-06-02T12:00:00.000Z');
    const rezoned = await engine.schedules.update(admin, schedule.id, {
      schedule: { cron: '0 12 * * *', timezone: 'Asia/Tokyo' },
    });
    expect(rezoned.next_run_at).toBe('2026-06-02T03:00:00.000Z');
  });

  it('renders every template variable in the schedule zone, in strings inside JSON', async () => {
    clock.set('2026-03-09T15:00:00Z');
    const schedule = await create({
      name: 'tokyo digest',
      schedule: { cron: '30 0 * * *', timezone: 'Asia/Tokyo' },
      input_template: {
        text: '{{date}} {{day_of_week}} #{{run_number}}',
        at: '{{timestamp}}',
        nominal: '{{scheduled_for}}',
        tags: ['{{schedule.name}}', 7],
      },
    });
    await fireNext(schedule.id);
    const [run] = await engine.runsOf(schedule.id);
    // 2026-03-09T15:30Z is Tuesday 10 March, 00:30 in Tokyo.
    expect(run!.input).toEqual({
      text: '2026-03-10 Tuesday #1',
      at: String(Date.parse('2026-03-09T15:30:00Z') / 1000),
      nominal: '2026-03-09T15:30:00.000Z',
      tags: ['tokyo digest', 7],
    });
  });
});
