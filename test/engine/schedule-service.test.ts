import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAssistant } from '../../src/store/assistants.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { systemClock } from '../../src/clock.ts';
import { admin, createEngine, engineAssistants, engineWorkflows, type Engine } from './harness.ts';

const member = { userId: '', role: 'member' as const };

describe('schedule service validation and access (pglite)', () => {
  let engine: Engine;
  let strict: ScheduleService;
  beforeAll(async () => {
    engine = await createEngine('pglite');
    strict = new ScheduleService({
      db: engine.db,
      clock: systemClock,
      config: { allowSeconds: false, maxSchedulesPerUser: 100, requireAdmin: false },
      startDeadlineMs: 300_000,
      assistants: engineAssistants(engine.db),
      workflows: engineWorkflows(engine.db),
    });
    const { rows } = await engine.db.query<{ id: string }>(
      "INSERT INTO users (name, role) VALUES ('mia', 'member') RETURNING id",
    );
    member.userId = rows[0]!.id;
  });
  afterAll(() => engine?.close());
  const base = () => ({ assistant_id: engine.assistantId, schedule: { cron: '0 9 * * *' } });

  it('refuses unknown fields, naming them', async () => {
    await expect(engine.schedules.create(admin, { ...base(), skip_if_runing: true } as never)).rejects.toMatchObject({
      code: 'invalid_request',
      status: 422,
      details: { field: 'skip_if_runing' },
    });
  });

  it('refuses a bad cron or zone with stable codes and the field', async () => {
    await expect(engine.schedules.create(admin, { ...base(), schedule: { cron: '0 25 * * *' } })).rejects.toMatchObject(
      { code: 'invalid_cron', status: 422, details: { field: 'hour', value: '25' } },
    );
    await expect(
      engine.schedules.create(admin, { ...base(), schedule: { cron: '0 9 * * *', timezone: 'Mars/Olympus' } }),
    ).rejects.toMatchObject({ code: 'invalid_timezone', status: 422 });
    await expect(
      engine.schedules.create(admin, { ...base(), schedule: { cron: '0 9 * * *', every: 60 } }),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'schedule' } });
  });

  it('refuses 6-field crons unless seconds are allowed', async () => {
    await expect(strict.create(admin, { ...base(), schedule: { cron: '*/5 * * * * *' } })).rejects.toMatchObject({
      code: 'invalid_cron',
      message: expect.stringMatching(/KAIROS_ALLOW_SECONDS_SCHEDULE/),
    });
    const allowed = await engine.schedules.create(admin, { ...base(), schedule: { cron: '*/5 * * * * *' } });
    expect(allowed.schedule).toEqual({ cron: '*/5 * * * * *', timezone: 'UTC' });
  });

  it('refuses unknown template variables at save time', async () => {
    await expect(
      engine.schedules.create(admin, { ...base(), input_template: { a: ['ok {{date}}', 'bad {{dat}}'] } }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      details: { field: 'input_template.a[1]', variable: 'dat' },
    });
  });

  it('derives unique names and refuses a taken one', async () => {
    const a = await engine.schedules.create(admin, base());
    const b = await engine.schedules.create(admin, base());
    expect(a.name).not.toBe(b.name);
    await engine.schedules.create(admin, { ...base(), name: 'daily' });
    await expect(engine.schedules.create(admin, { ...base(), name: 'daily' })).rejects.toMatchObject({
      code: 'name_taken',
      status: 409,
    });
  });

  it('scopes schedules to their owner; viewers cannot write; inactive or foreign assistants are refused', async () => {
    const mine = await engine.schedules.create(admin, base());
    await expect(engine.schedules.get(member, mine.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(engine.schedules.create(member, base())).rejects.toMatchObject({
      code: 'not_found',
      details: { field: 'assistant_id' },
    });
    await expect(engine.schedules.create({ ...member, role: 'viewer' }, base())).rejects.toMatchObject({
      code: 'forbidden',
      status: 403,
    });
    const own = await insertAssistant(engine.db, {
      ownerId: member.userId,
      name: 'mine',
      kind: 'http',
      config: { url: engine.server.url },
    });
    const theirs = await engine.schedules.create(member, { assistant_id: own.id, schedule: '0 8 * * *' });
    expect((await engine.schedules.list(member)).items.map((s) => s.id)).toEqual([theirs.id]);
    const off = await insertAssistant(engine.db, {
      ownerId: member.userId,
      name: 'off',
      kind: 'http',
      status: 'inactive',
      config: {},
    });
    await expect(
      engine.schedules.create(member, { assistant_id: off.id, schedule: '0 8 * * *' }),
    ).rejects.toMatchObject({ code: 'assistant_inactive', status: 422 });
  });

  it('previews the next fire times with a description', () => {
    const preview = engine.schedules.preview(
      { schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' } },
      { count: 3, from: new Date('2026-03-06T12:00:00Z') },
    );
    expect(preview.times).toEqual(['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z']);
    expect(preview.description).toMatch(/9/);
  });
});

describe('schedule cap (postgres)', () => {
  it('concurrent creates never exceed KAIROS_MAX_SCHEDULES_PER_USER', async () => {
    const engine = await createEngine('postgres');
    try {
      const capped = new ScheduleService({
        db: engine.db,
        clock: systemClock,
        config: { allowSeconds: false, maxSchedulesPerUser: 5, requireAdmin: false },
        startDeadlineMs: 300_000,
        assistants: engineAssistants(engine.db),
        workflows: engineWorkflows(engine.db),
      });
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () =>
          capped.create(admin, { assistant_id: engine.assistantId, schedule: '0 9 * * *' }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused).toHaveLength(7);
      for (const r of refused)
        expect(r.reason).toMatchObject({
          code: 'schedule_cap_reached',
          status: 429,
          message: expect.stringContaining('5'),
        });
    } finally {
      await engine.close();
    }
  });
});
