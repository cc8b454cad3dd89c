import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const kairos = fileURLToPath(new URL('../../bin/kairos.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real entry point, `node bin/kairos.js …`, as a user would. */
function run(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [kairos, ...args],
      { timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Each run starts a process through tsx (~1 s of CPU). One at a time: run concurrently on a
// loaded 2-core machine, eight of them shared the CPU until each passed its 30 s timeout.
describe('kairos cron (subprocess)', () => {
  it('prints the next fire times in the zone and in UTC', async () => {
    const result = await run(
      'cron',
      'next',
      '0 9 * * 1-5',
      '--tz',
      'America/New_York',
      '--from',
      '2026-11-20T15:00:00Z',
      '--count',
      '3',
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        '2026-11-23 09:00:00 EST (America/New_York)   2026-11-23T14:00:00.000Z',
        '2026-11-24 09:00:00 EST (America/New_York)   2026-11-24T14:00:00.000Z',
        '2026-11-25 09:00:00 EST (America/New_York)   2026-11-25T14:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('prints exactly one JSON object with --json, reading a --from without offset in the zone', async () => {
    const result = await run(
      'cron',
      'next',
      '30 2 * * *',
      '--tz',
      'america/new_york',
      '--from',
      '2026-03-07T12:00',
      '--count',
      '2',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      expression: '30 2 * * *',
      timezone: 'America/New_York',
      next: ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
    });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('takes 6 fields with --seconds and refuses them without', async () => {
    const ok = await run(
      'cron',
      'next',
      '*/20 * * * * *',
      '--seconds',
      '--from',
      '2026-01-01T00:00:00Z',
      '--count',
      '2',
      '--json',
    );
    expect(JSON.parse(ok.stdout).next).toEqual(['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']);
    const refused = await run('cron', 'next', '*/20 * * * * *');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('kairos: expected 5 fields');
    expect(refused.stderr).toContain('--seconds');
  });

  it.each([
    [['0 25 * * *'], 'kairos: hour: 25 is outside 0-23'],
    [['* * * * *', '--tz', 'Mars/Olympus'], 'kairos: timezone: "Mars/Olympus" is not a known IANA time zone'],
    [['* * * * *', '--from', 'tomorrow'], 'kairos: --from: "tomorrow" is not an ISO-8601 date-time'],
    [['* * * * *', '--count', '0'], 'kairos: --count: "0" is not a whole number 1-1000'],
  ])('exits 2 with the error on stderr: %j', async (args, message) => {
    const result = await run('cron', 'next', ...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('describes an expression', async () => {
    expect(await run('cron', 'describe', '0 10 * * FRI#2')).toMatchObject({
      code: 0,
      stdout: 'At 10:00, on the second Friday of the month\n',
    });
    expect(await run('cron', 'describe', '*/10 * * * * *', '--seconds')).toMatchObject({
      code: 0,
      stdout: 'Every 10 seconds\n',
    });
    const refused = await run('cron', 'describe', '0 0 30 2 *');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('can never fire');
  });
});
