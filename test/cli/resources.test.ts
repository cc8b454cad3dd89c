import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

describe('kairos schedules and runs (subprocess against a running server)', () => {
  let cli: CliServer;
  let env: Record<string, string>;
  let assistantId: string;

  beforeAll(async () => {
    cli = await startCliServer('clires', { assistant: { name: 'Reporter' } });
    ({ env, assistantId } = cli);
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it(
    'creates, lists, pauses, triggers and deletes a schedule, and reads and cancels its run',
    { timeout: 120_000 },
    async () => {
      const created = await run(
        [
          'schedules',
          'create',
          '--assistant',
          assistantId,
          '--cron',
          '0 9 * * 1-5',
          '--timezone',
          'Europe/Paris',
          '--name',
          'daily',
          '--input',
          '{"topic":"news"}',
          '--json',
        ],
        env,
      );
      expect(created.status, created.stderr).toBe(0);
      const schedule = JSON.parse(created.stdout) as { id: string; next_run_at: string; input_template: unknown };
      expect(schedule.next_run_at).toMatch(/T0[78]:00:00\.000Z$/);
      expect(schedule.input_template).toEqual({ topic: 'news' });

      const table = await run(['schedules', 'list'], env);
      expect(table.stdout).toMatch(/^ID\s+NAME\s+SCHEDULE\s+STATUS/m);
      expect(table.stdout).toContain('0 9 * * 1-5 (Europe/Paris)');

      const paused = await run(['schedules', 'pause', schedule.id, '--json'], env);
      expect((JSON.parse(paused.stdout) as { status: string }).status).toBe('paused');

      const triggered = await run(['schedules', 'trigger', schedule.id, '--override', '--json'], env);
      expect(triggered.status, triggered.stderr).toBe(0);
      const triggeredRun = JSON.parse(triggered.stdout) as { id: string; trigger: string };
      expect(triggeredRun.trigger).toBe('manual');

      const runs = await run(['runs', 'list', '--schedule', schedule.id, '--json'], env);
      expect((JSON.parse(runs.stdout) as { data: Array<{ id: string }> }).data.map((r) => r.id)).toEqual([
        triggeredRun.id,
      ]);
      const got = await run(['runs', 'get', triggeredRun.id], env);
      expect(got.stdout).toContain(triggeredRun.id);
      const cancelled = await run(['runs', 'cancel', triggeredRun.id, '--json'], env);
      expect((JSON.parse(cancelled.stdout) as { status: string }).status).toBe('cancelled');

      const again = await run(['runs', 'cancel', triggeredRun.id], env);
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/^kairos: run .* has already finished/);

      const replayed = await run(['runs', 'replay', triggeredRun.id, '--json'], env);
      expect(replayed.status, replayed.stderr).toBe(0);
      const replay = JSON.parse(replayed.stdout) as { id: string; replay_of: string; input: unknown };
      expect(replay.replay_of).toBe(triggeredRun.id);
      expect(replay.id).not.toBe(triggeredRun.id);
      const noSteps = await run(['runs', 'replay', triggeredRun.id, '--from-step', 'fetch'], env);
      expect(noSteps.status).toBe(2);
      expect(noSteps.stderr).toMatch(/^kairos: from_step: run .* is a run of an assistant/);

      const bad = await run(['schedules', 'create', '--assistant', assistantId, '--cron', '0 25 * * *'], env);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/hour/);

      const deleted = await run(['schedules', 'delete', schedule.id], env);
      expect(deleted.stdout).toBe(`deleted ${schedule.id}\n`);
      const missing = await run(['schedules', 'get', schedule.id], env);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/not found/);
    },
  );
});
