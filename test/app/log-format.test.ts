import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { humanLogLine } from '../../src/log-lines.ts';
import { kairosBin } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('logs a person reads on a terminal, JSON otherwise', { timeout: 120_000 }, () => {
  it('formats a JSON line as time, level, message and the other fields', () => {
    const time = Date.parse('2026-03-09T09:14:03Z');
    const line = humanLogLine(
      JSON.stringify({
        level: 30,
        time,
        pid: 1,
        msg: 'Kairos listening on http://127.0.0.1:7700 (pglite)',
        roles: ['api'],
      }),
    );
    expect(line).toBe(
      `${new Date(time).toTimeString().slice(0, 8)} info  Kairos listening on http://127.0.0.1:7700 (pglite) roles=["api"]`,
    );
    expect(humanLogLine('not json')).toBe('not json');
  });

  it('defaults to pretty on a terminal only, and KAIROS_LOG_FORMAT decides when set', () => {
    expect(loadConfig({}).logFormat).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    expect(loadConfig({ KAIROS_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ KAIROS_LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('`kairos serve` with pretty logs prints a human line with the URL', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-pretty-')), 'data');
    const child = spawn(process.execPath, [kairosBin, 'serve'], {
      env: { ...process.env, PORT: '0', KAIROS_DATA_DIR: dataDir, KAIROS_DEMO: 'false', KAIROS_LOG_FORMAT: 'pretty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const line = await waitFor(
        () => /^\d\d:\d\d:\d\d info {2}Kairos listening on http:\/\/127\.0\.0\.1:\d+ \(pglite\)/m.exec(stdout),
        {
          timeoutMs: 90_000,
          intervalMs: 100,
          message: `a human line with the URL (stdout so far: ${stdout})`,
        },
      );
      expect(line[0]).toMatch(/listening on http:\/\/127\.0\.0\.1:[1-9]\d*/);
      expect(stdout).not.toMatch(/^\{"level"/m);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
