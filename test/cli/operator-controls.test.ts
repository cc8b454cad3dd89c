import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

// `kairos schedules backfill` and `kairos schedules pause --note`, as a subprocess against a running server.
describe('kairos schedules backfill and pause --note (subprocess)', () => {
  let cli: CliServer;
  let env: Record<string, string>;
  let scheduleId: string;

  beforeAll(async () => {
    // API role only: the backfilled runs stay pending, so what the CLI created can be read back.
    cli = await startCliServer('cliops', { assistant: { name: 'Reporter' } });
    env = cli.env;
    const schedule = await run(
      ['schedules', 'create', '--assistant', cli.assistantId, '--cron', '0 6 * * *', '--name', 'daily', '--json'],
      env,
    );
    expect(schedule.status, schedule.stderr).toBe(0);
    scheduleId = (JSON.parse(schedule.stdout) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it(
    'previews with --dry-run, backfills, then creates nothing new; a too-large window exits non-zero saying how to split',
    { timeout: 120_000 },
    async () => {
      const window = ['--from', '2026-02-01T00:00:00Z', '--to', '2026-02-04T00:00:00Z'];
      const preview = await run(['schedules', 'backfill', scheduleId, ...window, '--dry-run'], env);
      expect(preview.status, preview.stderr).toBe(0);
      expect(preview.stdout).toMatch(
        /^would create 3 runs for 3 occurrences in \(2026-02-01T00:00:00\.000Z, 2026-02-04T00:00:00\.000Z\]; 0 already had a run$/m,
      );
      expect(preview.stdout).toContain('2026-02-01T06:00:00.000Z');
      const none = await run(['runs', 'list', '--schedule', scheduleId, '--json'], env);
      expect((JSON.parse(none.stdout) as { total: number }).total).toBe(0);

      const done = await run(['schedules', 'backfill', scheduleId, ...window, '--json'], env);
      expect(done.status, done.stderr).toBe(0);
      const result = JSON.parse(done.stdout) as { runs: number; run_ids: string[]; dry_run: boolean };
      expect(result).toMatchObject({ runs: 3, dry_run: false });
      const listed = await run(['runs', 'list', '--schedule', scheduleId, '--json'], env);
      const runs = (JSON.parse(listed.stdout) as { data: Array<{ id: string; trigger: string }> }).data;
      expect(runs.map((r) => r.id).sort()).toEqual([...result.run_ids].sort());
      expect(runs.every((r) => r.trigger === 'backfill')).toBe(true);

      const again = await run(['schedules', 'backfill', scheduleId, ...window], env);
      expect(again.stdout).toMatch(/^created 0 runs for 3 occurrences .*; 3 already had a run$/m);

      const large = await run(
        ['schedules', 'backfill', scheduleId, '--from', '2020-01-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'],
        env,
      );
      expect(large.status).toBe(2);
      expect(large.stderr).toMatch(
        /more than 1000 occurrences.*split it: first from 2020-01-01T00:00:00Z to 2022-09-26T06:00:00.000Z/,
      );
      const missing = await run(['schedules', 'backfill', scheduleId, '--from', '2026-02-01T00:00:00Z'], env);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/--to/);
    },
  );

  it('pauses with a note, shows it, and clears it on resume', { timeout: 60_000 }, async () => {
    const paused = await run(['schedules', 'pause', scheduleId, '--note', 'vendor outage'], env);
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/^note: vendor outage$/m);
    const got = JSON.parse((await run(['schedules', 'get', scheduleId, '--json'], env)).stdout) as {
      status: string;
      paused: { note: string } | null;
    };
    expect(got).toMatchObject({ status: 'paused', paused: { note: 'vendor outage' } });
    const resumed = JSON.parse((await run(['schedules', 'resume', scheduleId, '--json'], env)).stdout) as {
      paused: unknown;
    };
    expect(resumed.paused).toBeNull();
  });
});
