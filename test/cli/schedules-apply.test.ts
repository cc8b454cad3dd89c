import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

describe('kairos schedules apply -f (subprocess against a running server)', () => {
  let cli: CliServer;
  let env: Record<string, string>;
  let dir: string;
  let assistantId: string;
  const file = async (name: string, value: unknown) => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(value));
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-apply-'));
    cli = await startCliServer('cliapply', { assistant: { name: 'Reporter', graphId: 'reporter' } });
    ({ env, assistantId } = cli);
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it('prints created, then unchanged / updated / skipped per schedule', { timeout: 120_000 }, async () => {
    const first = await file('schedules.json', [
      { name: 'daily', assistant: 'reporter', schedule: { cron: '0 9 * * *', timezone: 'Europe/Paris' } },
      { name: 'hourly', assistant_id: assistantId, schedule: '0 * * * *' },
    ]);
    const created = await run(['schedules', 'apply', '-f', first], env);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^NAME\s+RESULT\s+ID\s+CHANGED$/m);
    expect(created.stdout).toMatch(/^daily\s+created\s+[0-9a-f-]{36}\s+-$/m);
    expect(created.stdout).toMatch(/^hourly\s+created\s/m);

    const second = await file('schedules-2.json', {
      schedules: [
        { name: 'daily', assistant: 'reporter', schedule: { cron: '0 9 * * *', timezone: 'Europe/Paris' } },
        { name: 'hourly', assistant_id: assistantId, schedule: '30 * * * *', input_template: 'tick {{run_number}}' },
        { name: 'weekly', assistant: 'reporter', schedule: '0 8 * * 1' },
      ],
    });
    const applied = await run(['schedules', 'apply', '-f', second, '--json'], env);
    expect(applied.status, applied.stderr).toBe(0);
    const lines = JSON.parse(applied.stdout) as Array<{ name: string; result: string; changed: string[] }>;
    expect(lines.map(({ name, result, changed }) => ({ name, result, changed }))).toEqual([
      { name: 'daily', result: 'unchanged', changed: [] },
      { name: 'hourly', result: 'updated', changed: ['input_template', 'schedule'] },
      { name: 'weekly', result: 'created', changed: [] },
    ]);

    const skipped = await run(['schedules', 'apply', '-f', first, '--if-exists', 'skip'], env);
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/^daily\s+skipped\s/m);
    expect(skipped.stdout).toMatch(/^hourly\s+skipped\s/m);
  });

  it('reports a refused schedule, applies the rest, and exits non-zero', { timeout: 120_000 }, async () => {
    const made = await run(
      ['schedules', 'create', '--assistant', assistantId, '--cron', '0 6 * * *', '--name', 'by-hand', '--json'],
      env,
    );
    expect(made.status, made.stderr).toBe(0);
    const path = await file('conflict.json', [
      { name: 'by-hand', assistant: 'reporter', schedule: '0 7 * * *' },
      { name: 'fresh', assistant: 'reporter', schedule: '0 7 * * *' },
    ]);
    const result = await run(['schedules', 'apply', '-f', path], env);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^by-hand\s+error\s+-/m);
    expect(result.stdout).toMatch(/^fresh\s+created\s/m);
    expect(result.stderr).toMatch(/by-hand: .*"update".*"skip".*"raise"/);

    const bad = await run(
      ['schedules', 'apply', '-f', await file('bad.json', [{ assistant: 'reporter', schedule: '0 7 * * *' }])],
      env,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/schedules\[0\]: needs a name/);
    const missing = await run(['schedules', 'apply', '-f', join(dir, 'nope.json')], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});
