import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { defineAssistant } from '../../src/agents/define-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdmin, type Actor } from '../../src/auth/actor.ts';
import { ConfigError } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { defineSchedule } from '../../src/scheduler/define-schedule.ts';
import { registerDeclaredSchedules } from '../../src/scheduler/declared-schedules.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import type { Database } from '../../src/store/database.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { ManualClock } from './harness.ts';

const logger = createLogger('silent');
const modules = [defineAssistant({ id: 'digest', name: 'Digest', run: () => ({ ok: true }) })];
const registryWith = (contents?: Record<string, unknown>) =>
  createModuleRegistry(modules, 'kairos.config.ts', contents);

/** One replica's view: its schedule service and a `start(contents)` that registers a config file. */
function replica(db: Database, clock: ManualClock) {
  const registry = registryWith();
  const assistants = createAssistantService({ db, config: { http: { allowPrivate: true, allowHosts: [] } }, registry });
  const schedules = new ScheduleService({
    db,
    clock,
    config: { allowSeconds: false, maxSchedulesPerUser: 100, requireAdmin: false },
    startDeadlineMs: 300_000,
    assistants,
    workflows: new WorkflowService({ db, clock, assistants, registry, startDeadlineMs: 300_000 }),
  });
  return {
    schedules,
    start: (contents: Record<string, unknown>, owner?: string) =>
      registerDeclaredSchedules({
        db,
        schedules,
        assistants,
        registry: registryWith(contents),
        logger,
        owner,
        now: () => clock.now(),
      }),
  };
}

const daily = (extra: Record<string, unknown> = {}) =>
  defineSchedule({
    name: 'daily-digest',
    assistant: 'digest',
    schedule: { cron: '0 9 * * *', timezone: 'UTC' },
    input_template: 'Digest for {{date}}',
    ...extra,
  });

async function byName(db: Database, name: string) {
  const { rows } = await db.query<{
    id: string;
    enabled: boolean;
    next_run_at: Date | null;
    version: number;
    source: string;
    source_note: string | null;
    cron: string | null;
    input_template: unknown;
  }>('SELECT * FROM schedules WHERE name = $1', [name]);
  return rows;
}

describe.each(databaseKinds)('schedules declared in code (%s)', (kind) => {
  let test: TestDatabase;
  let clock: ManualClock;
  let kairos: ReturnType<typeof replica>;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
    kairos = replica(test.db, clock);
  });
  afterAll(() => test?.close());

  it('creates a declared schedule for the local admin, marked source "config", with a module assistant made once', async () => {
    const first = await kairos.start({ schedules: [daily()] });
    expect(first).toEqual([{ name: 'daily-digest', id: expect.any(String), result: 'created', changed: [] }]);
    const schedule = await kairos.schedules.get(localAdmin, first[0]!.id);
    expect(schedule).toMatchObject({
      source: 'config',
      source_note: null,
      owner_id: localAdmin.userId,
      next_run_at: '2026-03-02T09:00:00.000Z',
    });
    const { rows } = await test.db.query<{ id: string; kind: string; graph_id: string }>(
      "SELECT id, kind, graph_id FROM assistants WHERE graph_id = 'digest'",
    );
    expect(rows).toEqual([{ id: schedule.assistant_id, kind: 'module', graph_id: 'digest' }]);

    const again = await kairos.start({ schedules: [daily()] });
    expect(again).toEqual([{ name: 'daily-digest', id: first[0]!.id, result: 'unchanged', changed: [] }]);
    expect((await test.db.query("SELECT id FROM assistants WHERE graph_id = 'digest'")).rows).toHaveLength(1);
  });

  it('leaves an unchanged declaration alone: the next fire time does not move, the version stays', async () => {
    const [before] = await byName(test.db, 'daily-digest');
    clock.set('2026-03-02T11:00:00Z'); // past the stored next fire (the scheduler did not run): recomputing would move it
    expect((await kairos.start({ schedules: [daily()] }))[0]!.result).toBe('unchanged');
    const [after] = await byName(test.db, 'daily-digest');
    expect(after!.next_run_at).toEqual(before!.next_run_at);
    expect(after!.version).toBe(before!.version);
  });

  it('moves the next fire when the cron changes, and only names the fields that changed', async () => {
    const [report] = await kairos.start({ schedules: [daily({ schedule: { cron: '30 12 * * *', timezone: 'UTC' } })] });
    expect(report).toMatchObject({ result: 'updated', changed: ['schedule'] });
    const [row] = await byName(test.db, 'daily-digest');
    expect(row!.next_run_at).toEqual(new Date('2026-03-02T12:30:00Z'));

    const [template] = await kairos.start({
      schedules: [
        daily({ schedule: { cron: '30 12 * * *', timezone: 'UTC' }, input_template: 'Digest {{run_number}}' }),
      ],
    });
    expect(template).toMatchObject({ result: 'updated', changed: ['input_template'] });
    const [same] = await byName(test.db, 'daily-digest');
    expect(same!.next_run_at).toEqual(new Date('2026-03-02T12:30:00Z'));
    expect(same!.input_template).toBe('Digest {{run_number}}');
  });

  it('raise (the default) stops the start when the name is taken by a schedule it did not create', async () => {
    const assistant = (await kairos.schedules.get(localAdmin, (await byName(test.db, 'daily-digest'))[0]!.id))
      .assistant_id!;
    const byHand = await kairos.schedules.create(localAdmin, {
      name: 'hourly-sync',
      assistant_id: assistant,
      schedule: '0 * * * *',
    });
    const attempt = kairos.start({
      schedules: [daily(), defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '15 * * * *' })],
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/schedule "hourly-sync".*"update".*"skip".*"raise"/s);
    expect((await kairos.schedules.get(localAdmin, byHand.id)).schedule).toEqual({
      cron: '0 * * * *',
      timezone: 'UTC',
    });
  });

  it('skip leaves a hand-made schedule alone; update takes it over and makes it match', async () => {
    const [hand] = await byName(test.db, 'hourly-sync');
    const skipped = await kairos.start({
      schedules: [
        daily(),
        defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '15 * * * *', if_exists: 'skip' }),
      ],
    });
    expect(skipped[1]).toEqual({ name: 'hourly-sync', id: hand!.id, result: 'skipped', changed: [] });
    expect((await byName(test.db, 'hourly-sync'))[0]).toMatchObject({
      cron: '0 * * * *',
      source: 'api',
      version: hand!.version,
    });

    const updated = await kairos.start({
      schedules: [
        daily(),
        defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '15 * * * *', if_exists: 'update' }),
      ],
    });
    expect(updated[1]).toMatchObject({ id: hand!.id, result: 'updated', changed: ['schedule', 'source'] });
    expect((await byName(test.db, 'hourly-sync'))[0]).toMatchObject({
      cron: '15 * * * *',
      source: 'config',
      next_run_at: new Date('2026-03-02T11:15:00Z'),
    });
    // Now it is the declaration's own: the default (raise) updates it.
    const raised = await kairos.start({
      schedules: [daily(), defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '45 * * * *' })],
    });
    expect(raised[1]).toMatchObject({ result: 'updated', changed: ['schedule'] });
  });

  it('pauses a schedule removed from the file, with a note, keeping it; declaring it again resumes it', async () => {
    const reports = await kairos.start({ schedules: [daily()] });
    const [sync] = await byName(test.db, 'hourly-sync');
    expect(reports).toContainEqual({ name: 'hourly-sync', id: sync!.id, result: 'paused', changed: ['enabled'] });
    const paused = await kairos.schedules.get(localAdmin, sync!.id);
    expect(paused).toMatchObject({ status: 'paused', enabled: false, source: 'config' });
    expect(paused.source_note).toMatch(/no longer declared in kairos\.config\.ts/);
    // A second start with the same file changes nothing.
    expect(await kairos.start({ schedules: [daily()] })).toEqual([
      { name: 'daily-digest', id: expect.any(String), result: 'unchanged', changed: [] },
    ]);

    const back = await kairos.start({
      schedules: [daily(), defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '45 * * * *' })],
    });
    expect(back[1]).toMatchObject({ result: 'updated', changed: ['enabled'] });
    expect(await kairos.schedules.get(localAdmin, sync!.id)).toMatchObject({
      status: 'active',
      source_note: null,
      next_run_at: '2026-03-02T11:45:00.000Z',
    });
  });

  it('prune "delete" deletes removed declarations; a file without a schedules key prunes nothing', async () => {
    expect(await kairos.start({ assistants: [] })).toEqual([]);
    expect(await byName(test.db, 'hourly-sync')).toHaveLength(1);
    const reports = await kairos.start({ schedules: [daily()], prune: 'delete' });
    expect(reports.map((r) => [r.name, r.result])).toEqual([
      ['daily-digest', 'unchanged'],
      ['hourly-sync', 'deleted'],
    ]);
    expect(await byName(test.db, 'hourly-sync')).toHaveLength(0);
  });

  it('refuses bad declarations naming the file, the index or the schedule, and what to fix', async () => {
    await expect(kairos.start({ schedules: [daily(), daily()] })).rejects.toThrow(
      /schedules\[1\]: two schedules are named "daily-digest"/,
    );
    await expect(kairos.start({ schedules: [{ name: 'x', schedule: '0 * * * *' }] })).rejects.toThrow(
      /schedules\[0\] "x": give exactly one target/,
    );
    await expect(kairos.start({ schedules: [daily({ schedule: '0 25 * * *' })] })).rejects.toThrow(
      /kairos\.config\.ts: schedule "daily-digest": schedule\.cron: hour: 25/,
    );
    // The JSON form skips defineSchedule: the start checks the same rules.
    await expect(kairos.start({ schedules: [{ ...daily(), if_exists: 'replace' }] })).rejects.toThrow(
      /if_exists must be "update", "skip" or "raise"/,
    );
    await expect(kairos.start({ schedules: [daily()], prune: 'archive' })).rejects.toThrow(/"prune" must be "pause"/);
    expect(() => defineSchedule({ ...daily(), if_exists: 'replace' as never })).toThrow(
      /defineSchedule "daily-digest": if_exists must be/,
    );
    await expect(kairos.start({ schedules: [daily()] }, 'nobody')).rejects.toThrow(
      /KAIROS_CONFIG_OWNER names "nobody"/,
    );
    await expect(
      kairos.start({ schedules: [defineSchedule({ name: 'wf', workflow: 'nightly', schedule: '0 3 * * *' })] }),
    ).rejects.toThrow(/workflow "nightly" was not found/);
    // Nothing was changed by the refused starts.
    expect((await byName(test.db, 'daily-digest'))[0]).toMatchObject({ cron: '0 9 * * *', enabled: true });
  });

  it('owns declared schedules by KAIROS_CONFIG_OWNER (a user name or id)', async () => {
    const { rows } = await test.db.query<{ id: string }>(
      "INSERT INTO users (name, role) VALUES ('ops-bot', 'member') RETURNING id",
    );
    const owner: Actor = { userId: rows[0]!.id, role: 'member' };
    const [report] = await kairos.start(
      { schedules: [defineSchedule({ name: 'ops-digest', assistant: 'digest', schedule: '0 6 * * *' })] },
      'ops-bot',
    );
    expect(report!.result).toBe('created');
    const schedule = await kairos.schedules.get(owner, report!.id);
    expect(schedule.owner_id).toBe(owner.userId);
    // The member got a module assistant of its own (it cannot see the admin's).
    expect(
      (await test.db.query('SELECT id FROM assistants WHERE graph_id = $1 AND owner_id = $2', ['digest', owner.userId]))
        .rows,
    ).toHaveLength(1);
    expect(
      (
        await kairos.start(
          { schedules: [defineSchedule({ name: 'ops-digest', assistant: 'digest', schedule: '0 6 * * *' })] },
          owner.userId,
        )
      )[0]!.result,
    ).toBe('unchanged');
    // The admin's declarations are not pruned by the member's start.
    expect((await byName(test.db, 'daily-digest'))[0]!.enabled).toBe(true);
  });
});

describe('ten replicas starting at once (postgres)', () => {
  it('end with exactly one schedule and one module assistant per declared name', { timeout: 60_000 }, async () => {
    const test = await createTestDatabase('postgres');
    try {
      const clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
      const replicas = Array.from({ length: 10 }, () => replica(test.connectAgain(), clock));
      const file = {
        schedules: [
          daily(),
          defineSchedule({ name: 'hourly-sync', assistant: 'digest', schedule: '0 * * * *', if_exists: 'update' }),
          defineSchedule({
            name: 'nightly-cleanup',
            assistant: 'digest',
            schedule: { every: '1h' },
            if_exists: 'skip',
          }),
        ],
      };
      const reports = await Promise.all(replicas.map((r) => r.start(file)));
      const { rows } = await test.db.query<{ name: string; n: number }>(
        'SELECT name, count(*)::int AS n FROM schedules GROUP BY name ORDER BY name',
      );
      expect(rows).toEqual([
        { name: 'daily-digest', n: 1 },
        { name: 'hourly-sync', n: 1 },
        { name: 'nightly-cleanup', n: 1 },
      ]);
      expect((await test.db.query("SELECT id FROM assistants WHERE graph_id = 'digest'")).rows).toHaveLength(1);
      // Each name was created by exactly one replica; the others found it and changed nothing.
      for (const name of ['daily-digest', 'hourly-sync', 'nightly-cleanup']) {
        const results = reports.map((report) => report.find((line) => line.name === name)!.result).sort();
        expect(results.filter((result) => result === 'created')).toHaveLength(1);
        expect(
          results
            .filter((result) => result !== 'created')
            .every((result) => result === 'unchanged' || result === 'skipped'),
        ).toBe(true);
      }
    } finally {
      await test.close();
    }
  });
});
