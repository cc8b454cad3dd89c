import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/store/database.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';
import { runKairos as kairosAsync, runKairosSync as kairos, startKairosProcess } from '../helpers/kairos-process.ts';

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  user: { id: string; name: string; role: string };
  user_created: boolean;
}

describe('kairos keys and users (subprocess)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const db = openPostgres({ connectionString: testDatabaseUrl, schema: 'public' });
    for (const schema of schemas) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await db.close();
  });

  it(
    'creates the first admin key on the embedded database before any start, and the server accepts it',
    { timeout: 120_000 },
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-keys-')), 'data');
      const env = { KAIROS_DATA_DIR: dataDir };

      const refused = kairos(['serve', '--host', '0.0.0.0', '--port', '0'], env);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('kairos keys create --role admin');

      const created = kairos(['keys', 'create', '--role', 'admin', '--json'], env);
      expect(created.status, created.stderr).toBe(0);
      const key = JSON.parse(created.stdout) as CreatedKey;
      expect(key.key).toMatch(/^kairos_[\w-]{43}$/);
      expect(key.user).toMatchObject({ name: 'admin', role: 'admin' });
      expect(key.user_created).toBe(true);

      const again = kairos(['keys', 'create', '--role', 'admin'], env);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/kairos_[\w-]{43}/);
      expect(again.stdout).toContain('not shown again');

      const listed = kairos(['keys', 'list', '--json'], env);
      const page = JSON.parse(listed.stdout) as { total: number; data: Array<Record<string, unknown>> };
      expect(page.total).toBe(2);
      expect(listed.stdout).not.toContain(key.key);

      const server = await startKairosProcess({ ...env, HOST: '0.0.0.0', KAIROS_ROLES: 'api' });
      try {
        const port = new URL(server.url).port;
        const base = `http://127.0.0.1:${port}`;
        expect((await fetch(`${base}/api/v1/users/me`)).status).toBe(401);
        const me = await fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${key.key}` } });
        expect(me.status).toBe(200);
        expect(((await me.json()) as { id: string }).id).toBe(key.user.id);
        expect(server.logs.some((entry) => entry.auth === 'local')).toBe(false);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    },
  );

  it('says local mode at start on loopback with no keys', { timeout: 60_000 }, async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-local-')), 'data');
    const server = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_ROLES: 'api' });
    try {
      const deadline = Date.now() + 5000;
      while (!server.logs.some((entry) => entry.auth === 'local') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const entry = server.logs.find((line) => line.auth === 'local');
      expect(String(entry?.msg)).toMatch(/local mode/);
      const me = await fetch(`${server.url}/api/v1/users/me`);
      expect(((await me.json()) as { role: string }).role).toBe('admin');
    } finally {
      await server.stop();
    }
  });

  it(
    'manages keys and users through a running server (KAIROS_URL), exiting non-zero with the API message',
    { timeout: 120_000 },
    async () => {
      const schema = uniqueSchema('cli');
      schemas.push(schema);
      const dbEnv = { DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema };
      const admin = JSON.parse(kairos(['keys', 'create', '--role', 'admin', '--json'], dbEnv).stdout) as CreatedKey;
      const server = await startKairosProcess({ ...dbEnv, KAIROS_ROLES: 'api' });
      try {
        const env = { ...dbEnv, KAIROS_URL: server.url, KAIROS_API_KEY: admin.key };
        const user = await kairosAsync(['users', 'create', 'dana', '--role', 'viewer', '--json'], env);
        expect(user.status, user.stderr).toBe(0);
        const dana = JSON.parse(user.stdout) as { id: string; role: string };
        expect(dana.role).toBe('viewer');

        const forDana = await kairosAsync(['keys', 'create', '--user', dana.id, '--label', 'dash', '--json'], env);
        expect(forDana.status, forDana.stderr).toBe(0);
        const danaKey = JSON.parse(forDana.stdout) as { id: string; key: string; user_id: string; name: string };
        expect(danaKey).toMatchObject({ user_id: dana.id, name: 'dash' });

        const table = await kairosAsync(['users', 'list'], env);
        expect(table.stdout).toMatch(/^ID\s+NAME\s+ROLE/m);
        expect(table.stdout).toMatch(/dana\s+viewer/);

        const denied = await kairosAsync(['users', 'list'], { ...env, KAIROS_API_KEY: danaKey.key });
        expect(denied.status).toBe(2);
        expect(denied.stderr).toMatch(/^kairos: only admins may list users/);

        const wrong = await kairosAsync(['keys', 'list'], { ...env, KAIROS_API_KEY: 'kairos_wrong' });
        expect(wrong.status).toBe(2);
        expect(wrong.stderr).toContain('invalid API key');

        const revoked = await kairosAsync(['keys', 'revoke', danaKey.id, '--json'], env);
        expect(revoked.status, revoked.stderr).toBe(0);
        expect((JSON.parse(revoked.stdout) as { revoked_at: string | null }).revoked_at).not.toBeNull();
        const after = await fetch(`${server.url}/api/v1/users/me`, { headers: { 'x-api-key': danaKey.key } });
        expect(after.status).toBe(401);

        // The database path still works while the server runs (PostgreSQL), and sees the same keys.
        const direct = await kairosAsync(['keys', 'list', '--db', '--all', '--json'], env);
        expect((JSON.parse(direct.stdout) as { total: number }).total).toBe(2);
      } finally {
        await server.stop();
      }
    },
  );
});
