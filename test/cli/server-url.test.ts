import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kairosBin, startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `kairos <args>` with only the variables given (and PATH): no KAIROS_URL, DATABASE_URL or key leaks in. */
function kairos(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [kairosBin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// One embedded server in local mode (no keys), found by the CLI from PORT alone.
describe(
  'the CLI finds the server from PORT/HOST like `kairos serve`, and takes assistants by name',
  { timeout: 120_000 },
  () => {
    let server: KairosProcess;
    let dataDir: string;
    let env: Record<string, string>;
    beforeAll(async () => {
      dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-cli-url-')), 'data');
      server = await startKairosProcess({ KAIROS_DATA_DIR: dataDir });
      env = { PORT: new URL(server.url).port, KAIROS_DATA_DIR: dataDir };
      for (const name of ['Reporter', 'Twin', 'Twin']) {
        const response = await fetch(`${server.url}/api/v1/assistants`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, kind: 'http', config: { url: 'https://agents.example/run' } }),
        });
        expect(response.status).toBe(201);
      }
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('`PORT=… kairos sql` queries the server on that port (the embedded database it holds)', async () => {
      const result = await kairos(
        ['sql', 'SELECT count(*)::int AS n FROM assistants WHERE NOT built_in', '--json'],
        env,
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([{ n: 3 }]);
    });

    it('`kairos schedules create --assistant Reporter` takes a unique name; a shared or unknown name is refused', async () => {
      const created = await kairos(
        ['schedules', 'create', '--assistant', 'Reporter', '--cron', '0 9 * * *', '--name', 'by-name', '--json'],
        env,
      );
      expect(created.status, created.stderr).toBe(0);
      const schedule = JSON.parse(created.stdout) as { assistant_id: string; name: string };
      const assistants = (await (await fetch(`${server.url}/api/v1/assistants?name=Reporter`)).json()) as {
        data: Array<{ id: string; name: string }>;
      };
      expect(schedule.assistant_id).toBe(assistants.data.find((a) => a.name === 'Reporter')!.id);

      const twin = await kairos(['schedules', 'create', '--assistant', 'Twin', '--cron', '0 9 * * *'], env);
      expect(twin.status).toBe(2);
      expect(twin.stderr).toMatch(
        /^kairos: --assistant: 2 assistants are named "Twin"; give one's id: [0-9a-f-]{36}, [0-9a-f-]{36}\n$/,
      );
      const nobody = await kairos(['runs', 'list', '--assistant', 'Nobody'], env);
      expect(nobody.status).toBe(2);
      expect(nobody.stderr).toContain('--assistant: no assistant named "Nobody"');
    });

    it('`kairos assistants delete` refuses an assistant in use, and --force deletes it with its schedules', async () => {
      const list = (await (await fetch(`${server.url}/api/v1/assistants?name=Reporter`)).json()) as {
        data: Array<{ id: string; name: string }>;
      };
      const id = list.data.find((a) => a.name === 'Reporter')!.id;
      const inUse = await kairos(['assistants', 'delete', 'Reporter'], env);
      expect(inUse.status).toBe(2);
      expect(inUse.stderr).toContain('assistant "Reporter" is used by 1 schedule (by-name)');
      expect((await fetch(`${server.url}/api/v1/assistants/${id}`)).status).toBe(200);
      const forced = await kairos(['assistants', 'delete', 'Reporter', '--force', '--json'], env);
      expect(forced.status, forced.stderr).toBe(0);
      expect(JSON.parse(forced.stdout)).toEqual({ deleted: true, id });
      expect((await fetch(`${server.url}/api/v1/assistants/${id}`)).status).toBe(404);
    });

    it('says how to point the CLI elsewhere when nothing answers', async () => {
      const result = await kairos(['schedules', 'list'], { PORT: '9' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('kairos: cannot reach Kairos at http://127.0.0.1:9');
      expect(result.stderr).toContain('pass --url or set KAIROS_URL');
    });
  },
);
