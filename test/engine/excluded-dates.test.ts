import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrenceSpecOf } from '../../src/scheduler/next-fire.ts';
import { occurrencesBetween } from '../../src/scheduler/occurrences-between.ts';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { findSchedule } from '../../src/store/schedules.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { createMetrics } from '../../src/metrics.ts';
import { admin, createEngine, ManualClock, type Engine } from './harness.ts';

// Excluded dates and the DST policy through the service and the scheduler on an injected clock.
describe.each(databaseKinds)('excluded dates and DST policy on an injected clock (%s)', (kind) => {
  let engine: Engine;
  const clock = new ManualClock(Date.parse('2026-12-20T12:00:00Z'));
  const metrics = createMetrics();

  beforeAll(async () => {
    engine = await createEngine(kind, { clock, maxCatchupPerPass: 100, metrics });
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

  it('skips the occurrences of excluded wall-clock dates and counts them as excluded, not missed', async () => {
    clock.set('2026-12-23T20:00:00Z');
    const schedule = await create({
      schedule: { cron: '0 9 * * *', timezone: 'America/New_York' },
      exclude_dates: ['2027-01-01', '2026-12-25', '2026-12-25'],
    });
    expect(schedule.exclude_dates).toEqual(['2026-12-25', '2027-01-01']);
    expect(schedule).toMatchObject({ excluded_count: 0, next_run_at: '2026-12-24T14:00:00.000Z' });
    await fireNext(schedule.id, 1);
    // Past the 24th, the next fire shown is the 26th; the 25th is counted when its time comes.
    expect(await engine.schedules.get(admin, schedule.id)).toMatchObject({
      next_run_at: '2026-12-26T14:00:00.000Z',
      excluded_count: 0,
    });
    await fireNext(schedule.id, 3);
    // 09:00 EST = 14:00Z: the 24th, then the 26th (the 25th is excluded), 27th, 28th.
    expect(await times(schedule.id)).toEqual([
      '2026-12-24T14:00:00.000Z',
      '2026-12-26T14:00:00.000Z',
      '2026-12-27T14:00:00.000Z',
      '2026-12-28T14:00:00.000Z',
    ]);
    const after = await engine.schedules.get(admin, schedule.id);
    expect(after).toMatchObject({ excluded_count: 1, missed_count: 0, run_count: 4 });
    const events = await engine.schedules.events(admin, schedule.id);
    expect(events.filter((event) => event.kind === 'excluded').map((event) => event.data)).toEqual([
      { count: 1, occurrences: ['2026-12-25T14:00:00.000Z'] },
    ]);
    expect(events.some((event) => event.kind === 'missed')).toBe(false);
    expect((await engine.schedules.stats(admin, schedule.id)).excluded).toBe(1);
    // The scheduler counts the excluded occurrence in kairos_occurrences_total (docs/gates.md).
    expect(await metrics.text()).toMatch(/^kairos_occurrences_total\{outcome="excluded"\} 1$/m);
  });

  it('uses the date in the schedule zone, and counts every occurrence of the day', async () => {
    // Tokyo is UTC+9: 25 December there is 24 Dec 15:00Z to 25 Dec 15:00Z.
    clock.set('2026-12-24T14:00:00Z');
    const schedule = await create({
      schedule: { cron: '0 */6 * * *', timezone: 'Asia/Tokyo' },
      exclude_dates: ['2026-12-25'],
    });
    await fireNext(schedule.id, 2);
    // 24 Dec 18:00 JST (09:00Z) is past; the 25th's 00, 06, 12, 18 JST are skipped; then 26 Dec 00:00 JST.
    expect(await times(schedule.id)).toEqual(['2026-12-25T15:00:00.000Z', '2026-12-25T21:00:00.000Z']);
    expect((await engine.schedules.get(admin, schedule.id)).excluded_count).toBe(4);
  });

  it('recomputes the next fire when the dates change, and previews what they skip', async () => {
    clock.set('2026-12-24T20:00:00Z');
    const schedule = await create({ schedule: { cron: '0 9 * * *', timezone: 'America/New_York' } });
    expect(schedule.next_run_at).toBe('2026-12-25T14:00:00.000Z');
    const updated = await engine.schedules.update(admin, schedule.id, { exclude_dates: ['2026-12-25', '2026-12-26'] });
    expect(updated.next_run_at).toBe('2026-12-27T14:00:00.000Z');
    const saved = await engine.schedules.previewSaved(admin, schedule.id, { count: 2 });
    expect(saved.times).toEqual(['2026-12-27T14:00:00.000Z', '2026-12-28T14:00:00.000Z']);
    expect(saved.excluded).toEqual(['2026-12-25T14:00:00.000Z', '2026-12-26T14:00:00.000Z']);
    const unsaved = engine.schedules.preview(
      { schedule: { cron: '0 9 * * *', timezone: 'America/New_York' }, exclude_dates: ['2026-12-28'] },
      { count: 4, from: new Date('2026-12-26T00:00:00Z') },
    );
    expect(unsaved.times).toEqual([
      '2026-12-26T14:00:00.000Z',
      '2026-12-27T14:00:00.000Z',
      '2026-12-29T14:00:00.000Z',
      '2026-12-30T14:00:00.000Z',
    ]);
    expect(unsaved.excluded).toEqual(['2026-12-28T14:00:00.000Z']);
    const cleared = await engine.schedules.update(admin, schedule.id, { exclude_dates: [] });
    expect(cleared).toMatchObject({ exclude_dates: [], next_run_at: '2026-12-25T14:00:00.000Z' });
  });

  it('refuses a bad date with a 422 naming the entry, and creates nothing', async () => {
    const before = (await engine.schedules.list(admin, { limit: 1000 })).total;
    for (const [dates, field] of [
      [['2026-12-25', '2026-02-30'], 'exclude_dates.1'],
      [['25/12/2026'], 'exclude_dates.0'],
      [['2026-12-25T00:00:00Z'], 'exclude_dates.0'],
    ] as const) {
      await expect(create({ schedule: '0 9 * * *', exclude_dates: [...dates] })).rejects.toMatchObject({
        code: 'invalid_request',
        status: 422,
        details: { field },
        message: expect.stringContaining('is not a date; write YYYY-MM-DD'),
      });
    }
    await expect(
      create({ schedule: '0 9 * * *', dst: { repeated: 'last', skipped: 'never' } as never }),
    ).rejects.toMatchObject({
      status: 422,
      details: { field: 'dst.skipped' },
    });
    expect((await engine.schedules.list(admin, { limit: 1000 })).total).toBe(before);
  });

  it('stores the DST policy and fires by it on the fall-back day: repeated last, then both', async () => {
    clock.set('2026-10-31T12:00:00Z');
    const last = await create({
      schedule: { cron: '30 1 * * *', timezone: 'America/New_York' },
      dst: { repeated: 'last' },
    });
    expect(last.dst).toEqual({ repeated: 'last' });
    await fireNext(last.id, 2);
    // 1 November 01:30 EDT is 05:30Z, 01:30 EST 06:30Z: `last` fires at the EST one only.
    expect(await times(last.id)).toEqual(['2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    const row = await findSchedule(engine.db, last.id);
    expect(row).toMatchObject({ dst_repeated: 'last', dst_skipped: null });

    clock.set('2026-10-31T12:00:00Z');
    const both = await create({
      schedule: { cron: '30 1 * * *', timezone: 'America/New_York' },
      dst: { repeated: 'both', skipped: 'skip' },
    });
    await fireNext(both.id, 3);
    expect(await times(both.id)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    const reset = await engine.schedules.update(admin, both.id, { dst: null });
    expect(reset.dst).toBeNull();
  });

  it('skips the spring gap under skipped: skip', async () => {
    clock.set('2026-03-07T12:00:00Z');
    const schedule = await create({
      schedule: { cron: '30 2 * * *', timezone: 'America/New_York' },
      dst: { skipped: 'skip' },
    });
    await fireNext(schedule.id, 2);
    expect(await times(schedule.id)).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
  });

  it('previews the effect of the next transition under the policy', () => {
    const from = new Date('2026-10-20T00:00:00Z');
    const body = { schedule: { cron: '30 1 * * *', timezone: 'America/New_York' } };
    const vixie = engine.schedules.preview(body, { from });
    expect(vixie.dst).toMatchObject({
      at: '2026-11-01T06:00:00.000Z',
      kind: 'backward',
      jump_minutes: -60,
      clock_change: false,
      wall_from: '2026-11-01T01:00',
      wall_to: '2026-11-01T02:00',
      policy: { repeated: 'first', skipped: 'shift' },
      affected: 1,
      fires: ['2026-11-01T05:30:00.000Z'],
    });
    expect(vixie.dst?.effect).toBe(
      'Clocks go back 1 h at 2026-11-01T02:00: 1 occurrence in the repeated wall times 01:00-02:00 fire at the first instant only (repeated: first)',
    );
    const last = engine.schedules.preview({ ...body, dst: { repeated: 'last' } }, { from });
    expect(last.dst).toMatchObject({ policy: { repeated: 'last' }, fires: ['2026-11-01T06:30:00.000Z'] });
    const spring = engine.schedules.preview(
      { schedule: { cron: '*/20 2 * * *', timezone: 'Europe/London' }, dst: { skipped: 'shift' } },
      { from: new Date('2026-03-01T00:00:00Z') },
    );
    // London 29 March: 01:00 GMT → 02:00 BST; 02:xx exists, so nothing is skipped for this job.
    expect(spring.dst).toMatchObject({ kind: 'forward', affected: 0 });
    const lordHowe = engine.schedules.preview(
      { schedule: { cron: '15 2 * * *', timezone: 'Australia/Lord_Howe' }, dst: { skipped: 'skip' } },
      { from: new Date('2026-09-01T00:00:00Z') },
    );
    expect(lordHowe.dst).toMatchObject({ kind: 'forward', jump_minutes: 30, affected: 1, fires: [] });
    expect(lordHowe.dst?.effect).toContain('do not fire (skipped: skip)');
    expect(engine.schedules.preview({ schedule: { cron: '0 9 * * *', timezone: 'UTC' } }, { from }).dst).toBeNull();
  });

  it('lists the occurrences in (from, to] for backfill, honouring exclusions, the policy and a limit', async () => {
    clock.set('2026-10-01T00:00:00Z');
    const schedule = await create({
      schedule: { cron: '30 1 * * *', timezone: 'America/New_York' },
      dst: { repeated: 'both' },
      exclude_dates: ['2026-10-31'],
    });
    const spec = occurrenceSpecOf((await findSchedule(engine.db, schedule.id))!);
    const from = Date.parse('2026-10-30T05:30:00Z'); // 30 Oct 01:30 EDT itself is excluded: the range is open at from
    const to = Date.parse('2026-11-02T06:30:00Z');
    const all = occurrencesBetween(spec, from, to, 1000);
    expect(all.occurrences.map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(all.excluded.map((t) => new Date(t).toISOString())).toEqual(['2026-10-31T05:30:00.000Z']);
    expect(all.truncated).toBe(false);
    const capped = occurrencesBetween(spec, from, to, 2);
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.occurrences).toHaveLength(2);
  });
});
