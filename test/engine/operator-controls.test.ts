import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KairosError } from '../../src/errors.ts';
import type { ScheduleCreateInput } from '../../src/scheduler/schedule-input.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { admin, createEngine, ManualClock, type Engine } from './harness.ts';

// Backfill and pause on an injected clock (issue 9, issue 13's pause rule). Workers are not
// involved: what is asserted is which runs exist and in which state.
describe.each(databaseKinds)('operator controls on an injected clock (%s)', (kind) => {
  let engine: Engine;
  const clock = new ManualClock(Date.parse('2026-03-10T12:00:00Z'));

  beforeAll(async () => {
    engine = await createEngine(kind, { clock });
  });
  afterAll(() => engine?.close());

  const create = (body: Omit<ScheduleCreateInput, 'assistant_id'>) =>
    engine.schedules.create(admin, { assistant_id: engine.assistantId, ...body });
  const runs = (id: string) => engine.runsOf(id);
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KairosError);
    return error as KairosError;
  };

  it('backfill creates one run per occurrence in (from, to] with no run yet, in order, tagged backfill; twice creates nothing', async () => {
    clock.set('2026-03-10T12:00:00Z');
    const s = await create({
      schedule: { cron: '0 9 * * *', timezone: 'Europe/Paris' },
      input_template: 'report for {{date}}',
    });
    const window = { from: '2026-03-05T08:00:00Z', to: '2026-03-09T08:00:00Z' }; // 9:00 Paris = 08:00Z: from excluded, to included

    const preview = await engine.schedules.backfill(admin, s.id, { ...window, dry_run: true });
    expect(preview).toMatchObject({ dry_run: true, occurrences: 4, existing: 0, runs: 4, run_ids: [] });
    expect(preview.scheduled_for).toEqual([
      '2026-03-06T08:00:00.000Z',
      '2026-03-07T08:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-09T08:00:00.000Z',
    ]);
    expect(await runs(s.id)).toEqual([]);

    const done = await engine.schedules.backfill(admin, s.id, window);
    expect(done).toMatchObject({ dry_run: false, occurrences: 4, existing: 0, runs: 4, overlap: 'queue' });
    const created = await runs(s.id);
    expect(created.map((run) => run.scheduled_for!.toISOString())).toEqual(preview.scheduled_for);
    expect(created.map((run) => run.id)).toEqual(done.run_ids);
    expect(
      created.every(
        (run) =>
          run.trigger === 'backfill' && run.status === 'pending' && run.waits_for_slot && run.start_deadline === null,
      ),
    ).toBe(true);
    // Due now, in occurrence order; the template renders the occurrence's own date.
    const notBefore = created.map((run) => run.not_before.getTime());
    expect(notBefore).toEqual([...notBefore].sort((a, b) => a - b));
    expect(new Set(notBefore).size).toBe(4);
    expect(notBefore[0]).toBe(clock.now());
    expect(created.map((run) => run.input)).toEqual([
      'report for 2026-03-06',
      'report for 2026-03-07',
      'report for 2026-03-08',
      'report for 2026-03-09',
    ]);
    expect(created.map((run) => run.run_number)).toEqual([1, 2, 3, 4]);

    const again = await engine.schedules.backfill(admin, s.id, window);
    expect(again).toMatchObject({ occurrences: 4, existing: 4, runs: 0, run_ids: [] });
    const wider = await engine.schedules.backfill(admin, s.id, {
      from: '2026-03-04T00:00:00Z',
      to: '2026-03-10T09:00:00Z',
    });
    expect(wider).toMatchObject({
      occurrences: 7,
      existing: 4,
      runs: 3,
      scheduled_for: ['2026-03-04T08:00:00.000Z', '2026-03-05T08:00:00.000Z', '2026-03-10T08:00:00.000Z'],
    });
    expect(await runs(s.id)).toHaveLength(7);
    const events = await engine.schedules.events(admin, s.id, { kind: 'backfill' });
    expect(events.map((event) => (event.data as { runs: number }).runs)).toEqual([3, 4]);
  });

  it('backfill shares the occurrence key with scheduled runs: neither side doubles an occurrence', async () => {
    clock.set('2026-03-11T10:00:00Z');
    const s = await create({ schedule: { cron: '0 * * * *' }, misfire: 'run_all', catchup_window: '1d' });
    // The scheduler fires 11:00; then the schedule is paused, so that 12:00 and 13:00 pass unfired.
    clock.set('2026-03-11T10:59:59Z');
    await engine.scheduler.tick();
    expect((await runs(s.id)).map((run) => [run.trigger, run.scheduled_for!.toISOString()])).toEqual([
      ['schedule', '2026-03-11T11:00:00.000Z'],
    ]);
    await engine.schedules.pause(admin, s.id);
    clock.set('2026-03-11T13:30:00Z');
    const filled = await engine.schedules.backfill(admin, s.id, {
      from: '2026-03-11T10:00:00Z',
      to: '2026-03-11T13:30:00Z',
    });
    expect(filled).toMatchObject({
      occurrences: 3,
      existing: 1,
      runs: 2,
      scheduled_for: ['2026-03-11T12:00:00.000Z', '2026-03-11T13:00:00.000Z'],
    });
    // Resumed under run_all, the scheduler catches up 12:00 and 13:00: the backfill already holds them.
    await engine.schedules.resume(admin, s.id);
    await engine.scheduler.tick();
    const all = await runs(s.id);
    const byOccurrence = new Map<string, string[]>();
    for (const run of all)
      byOccurrence.set(run.scheduled_for!.toISOString(), [
        ...(byOccurrence.get(run.scheduled_for!.toISOString()) ?? []),
        run.trigger,
      ]);
    expect(Object.fromEntries(byOccurrence)).toEqual({
      '2026-03-11T11:00:00.000Z': ['schedule'],
      '2026-03-11T12:00:00.000Z': ['backfill'],
      '2026-03-11T13:00:00.000Z': ['backfill'],
    });
  });

  it('backfill refuses a window of more than 1,000 occurrences (saying where to split), a reversed or future window; nothing is created', async () => {
    clock.set('2026-03-12T00:00:00Z');
    const s = await create({ schedule: { cron: '* * * * *' } });
    const large = await rejection(
      engine.schedules.backfill(admin, s.id, { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' }),
    );
    expect(large).toMatchObject({
      code: 'backfill_too_large',
      status: 422,
      details: { cap: 1000, split_at: '2026-03-10T16:40:00.000Z' },
    });
    expect(large.message).toMatch(/split it: first from 2026-03-10T00:00:00Z to 2026-03-10T16:40:00.000Z/);
    // Exactly 1,000 is allowed: (00:00, 16:40].
    const exact = await engine.schedules.backfill(admin, s.id, {
      from: '2026-03-10T00:00:00Z',
      to: '2026-03-10T16:40:00.000Z',
      dry_run: true,
    });
    expect(exact.runs).toBe(1000);
    const reversed = await rejection(
      engine.schedules.backfill(admin, s.id, { from: '2026-03-11T00:00:00Z', to: '2026-03-10T00:00:00Z' }),
    );
    expect(reversed).toMatchObject({ code: 'invalid_request', status: 422, details: { field: 'to' } });
    const future = await rejection(
      engine.schedules.backfill(admin, s.id, { from: '2026-03-11T23:00:00Z', to: '2026-03-12T01:00:00Z' }),
    );
    expect(future.message).toMatch(/in the future/);
    const unknown = await rejection(
      engine.schedules.backfill(admin, s.id, {
        from: '2026-03-11T23:00:00Z',
        to: '2026-03-11T23:30:00Z',
        overlap: 'sometimes' as 'queue',
      }),
    );
    expect(unknown.details).toMatchObject({ field: 'overlap' });
    expect(await runs(s.id)).toEqual([]);
  });

  it('pause with a note shows the note, who paused and when, until resumed', async () => {
    clock.set('2026-03-13T09:00:00Z');
    const s = await create({ schedule: { cron: '0 * * * *' } });
    expect(s.paused).toBeNull();
    const paused = await engine.schedules.pause(admin, s.id, { note: 'agent API down, see INC-42' });
    expect(paused).toMatchObject({
      status: 'paused',
      paused: { at: '2026-03-13T09:00:00.000Z', by: admin.userId, note: 'agent API down, see INC-42' },
    });
    expect((await engine.schedules.get(admin, s.id)).paused).toEqual(paused.paused);
    clock.set('2026-03-13T09:05:00Z');
    const renoted = await engine.schedules.pause(admin, s.id, { note: 'still down' });
    expect(renoted.paused).toEqual({ at: '2026-03-13T09:00:00.000Z', by: admin.userId, note: 'still down' });
    const resumed = await engine.schedules.resume(admin, s.id);
    expect(resumed).toMatchObject({ status: 'active', paused: null });
    const kinds = (await engine.schedules.events(admin, s.id)).map((event) => event.kind);
    expect(kinds).toEqual(['resumed', 'paused']);
    const empty = await rejection(engine.schedules.pause(admin, s.id, { note: '  ' }));
    expect(empty.details).toMatchObject({ field: 'note' });
    expect((await engine.schedules.get(admin, s.id)).status).toBe('active');
  });

  it('a pause cancels only runs created ahead of their time, never a run that is due or already attempted', async () => {
    clock.set('2026-03-14T09:59:59Z');
    const s = await create({ schedule: { cron: '0 * * * *' }, misfire: 'run_all' });
    await engine.scheduler.tick(); // creates the 10:00 run ahead (lookahead)
    const [ahead] = await runs(s.id);
    expect(ahead).toMatchObject({ status: 'pending', scheduled_for: new Date('2026-03-14T10:00:00Z') });
    // A due run waiting for a worker (e.g. for recovery): created for 09:00, never started.
    const due = await engine.schedules.backfill(admin, s.id, {
      from: '2026-03-14T08:30:00Z',
      to: '2026-03-14T09:30:00Z',
    });
    // An attempted run waiting for its retry, due again later.
    const retrying = (await engine.schedules.trigger(admin, s.id)).id;
    await engine.db.query(`UPDATE runs SET attempt = 2, not_before = $2 WHERE id = $1`, [
      retrying,
      new Date('2026-03-14T10:05:00Z'),
    ]);

    await engine.schedules.pause(admin, s.id, { note: 'maintenance' });
    const after = new Map((await runs(s.id)).map((run) => [run.id, run]));
    expect(after.get(ahead!.id)).toMatchObject({
      status: 'cancelled',
      error_kind: 'cancelled',
      error: 'the schedule was paused',
    });
    expect(after.get(due.run_ids[0]!)).toMatchObject({ status: 'pending' });
    expect(after.get(retrying)).toMatchObject({ status: 'pending', attempt: 2 });
  });
});
