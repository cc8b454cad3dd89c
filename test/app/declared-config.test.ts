import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/app.ts';
import { localAdmin } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { ManualClock } from '../engine/harness.ts';

const indexPath = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

describe("the config file's schedules, registered by Kairos.create (pglite)", () => {
  let dir: string;
  let test: TestDatabase;
  const clock = new ManualClock(Date.parse('2026-03-02T08:00:00Z'));
  const logger = createLogger('silent');
  const start = (file: string) =>
    Kairos.create({
      config: loadConfig({ KAIROS_CONFIG: join(dir, file), KAIROS_DEMO: 'false', KAIROS_LOG_LEVEL: 'silent' }),
      db: test.db,
      clock,
      logger,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-declared-'));
    test = await createTestDatabase('pglite');
    await writeFile(
      join(dir, 'kairos.config.ts'),
      `import { defineAssistant, defineSchedule } from ${JSON.stringify(indexPath)};
export default {
  assistants: [defineAssistant({ id: 'cleanup', name: 'Cleanup', run: () => ({ cleaned: true }) })],
  schedules: [
    defineSchedule({ name: 'nightly-cleanup', assistant: 'cleanup', schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' }, input_template: { day: '{{date}}' } }),
    defineSchedule({ name: 'digest', assistant: 'kairos-digest', schedule: { every: '6h' }, if_exists: 'update' }),
  ],
};
`,
    );
    await writeFile(
      join(dir, 'kairos.config.json'),
      JSON.stringify({
        schedules: [{ name: 'digest', assistant: 'kairos-digest', schedule: { every: '3h' }, if_exists: 'update' }],
      }),
    );
    await writeFile(
      join(dir, 'taken.config.json'),
      JSON.stringify({ schedules: [{ name: 'by-hand', assistant: 'kairos-digest', schedule: '0 * * * *' }] }),
    );
  });
  afterAll(() => test?.close());

  it('registers the TS file\'s declarations at create, as the local admin, source "config"', async () => {
    const kairos = await start('kairos.config.ts');
    const { items } = await kairos.schedules.list(localAdmin);
    expect(items.map((s) => [s.name, s.source, s.owner_id]).sort()).toEqual([
      ['digest', 'config', localAdmin.userId],
      ['nightly-cleanup', 'config', localAdmin.userId],
    ]);
    const nightly = items.find((s) => s.name === 'nightly-cleanup')!;
    expect(nightly).toMatchObject({
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
      next_run_at: '2026-03-03T02:00:00.000Z',
      input_template: { day: '{{date}}' },
    });
    await kairos.close();
  });

  it('the JSON form updates what it declares and pauses what it no longer declares', async () => {
    const kairos = await start('kairos.config.json');
    const { items } = await kairos.schedules.list(localAdmin);
    expect(items.find((s) => s.name === 'digest')).toMatchObject({ schedule: { every: 10_800 }, status: 'active' });
    expect(items.find((s) => s.name === 'nightly-cleanup')).toMatchObject({
      status: 'paused',
      source_note: expect.stringContaining('kairos.config.json'),
    });
    await kairos.close();
  });

  it('stops the start when a declared name is taken by a hand-made schedule (raise)', async () => {
    const kairos = await start('kairos.config.json');
    await kairos.schedules.create(localAdmin, {
      name: 'by-hand',
      assistant_id: 'kairos-digest',
      schedule: '*/5 * * * *',
    });
    await kairos.close();
    await expect(start('taken.config.json')).rejects.toThrow(
      /taken\.config\.json: schedule "by-hand" is declared, but a schedule of that name already exists.*"update".*"skip".*"raise"/s,
    );
  });
  it("declares a schedule of a workflow the same file declares, by the workflow's name", async () => {
    await writeFile(
      join(dir, 'workflow.config.ts'),
      `import { defineWorkflow, defineSchedule, step } from ${JSON.stringify(indexPath)};
export default {
  workflows: [defineWorkflow({ name: 'nightly-pipeline', steps: [step('clean', () => 'cleaned')] })],
  schedules: [defineSchedule({ name: 'pipeline-nightly', workflow: 'nightly-pipeline', schedule: '0 4 * * *' })],
};
`,
    );
    const kairos = await start('workflow.config.ts');
    const { items } = await kairos.schedules.list(localAdmin);
    const declared = items.find((s) => s.name === 'pipeline-nightly')!;
    const { rows } = await test.db.query<{ id: string }>(`SELECT id FROM workflows WHERE name = 'nightly-pipeline'`);
    expect(declared).toMatchObject({ workflow_id: rows[0]!.id, assistant_id: null, source: 'config' });
    await kairos.close();
  });
});
