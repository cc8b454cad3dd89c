import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/store/database.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';
import { startHttpAgentServer } from '../helpers/http-agent-server.ts';
import { kairosBin, startKairosProcess } from '../helpers/kairos-process.ts';

// Subprocesses that compile the sources and open a database: slow on a loaded 2-core machine.
describe('kairos serve: a failed start and Ctrl-C', { timeout: 120_000 }, () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const db = openPostgres({ connectionString: testDatabaseUrl, schema: 'public' });
    for (const schema of schemas) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await db.close();
  });

  it('exits non-zero when its port is in use, saying how to choose another, having started no role', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    const schema = uniqueSchema('busyport');
    schemas.push(schema);
    try {
      const child = spawn(process.execPath, [kairosBin, 'serve'], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: testDatabaseUrl,
          KAIROS_DB_SCHEMA: schema,
          KAIROS_DEMO: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(timer);
      expect(signal).toBeNull();
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(stderr).toContain('PORT=');
      // The clock, scheduler and worker never started: no replica registered itself.
      const db = openPostgres({ connectionString: testDatabaseUrl, schema });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM replicas');
      await db.close();
      expect(rows[0]!.n).toBe(0);
    } finally {
      blocker.close();
    }
  });

  it('on one Ctrl-C says how many runs it waits for and how to force it; embedded, it hands runs to no "other replicas"', async () => {
    const agent = await startHttpAgentServer(() => ({ hang: true }));
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-ctrlc-')), 'data');
    const kairos = await startKairosProcess({
      KAIROS_DATA_DIR: dataDir,
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_SHUTDOWN_GRACE: '1',
    });
    try {
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${kairos.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, await response.clone().text()).toBeLessThan(300);
        return (await response.json()) as { id: string; assistant_id?: string };
      };
      const assistant = await post('/api/v1/assistants', { name: 'Hangs', kind: 'http', config: { url: agent.url } });
      await post('/api/v1/runs', { assistant_id: assistant.id ?? assistant.assistant_id, input: { n: 1 } });
      await agent.waitForRequests(1, 60_000);
      const code = await kairos.stop('SIGINT');
      expect(code).toBe(0);
      const shutting = kairos.logs.find((entry) => String(entry.msg).startsWith('shutting down'));
      expect(shutting).toMatchObject({ runs_in_flight: 1, grace_s: 1 });
      expect(shutting!.msg).toBe(
        'shutting down: waiting up to 1 s for 1 run in flight to finish (KAIROS_SHUTDOWN_GRACE); ' +
          'press Ctrl-C again to exit now',
      );
      const released = kairos.logs.find((entry) => String(entry.msg).startsWith('released unfinished runs'));
      expect(released).toMatchObject({ released: 1 });
      expect(released!.msg).toBe('released unfinished runs: they are pending again and start at the next start');
      expect(kairos.logs.some((entry) => String(entry.msg).includes('other replicas'))).toBe(false);
    } finally {
      await kairos.stop('SIGKILL');
      await agent.close();
    }
  });
});
