import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/store/database.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';
import { kairosBin, startKairosProcess } from '../helpers/kairos-process.ts';

// Subprocesses that compile the sources and open a database: slow on a loaded 2-core machine.
describe('kairos serve', { timeout: 120_000 }, () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const db = openPostgres({ connectionString: testDatabaseUrl, schema: 'public' });
    for (const schema of schemas) await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await db.close();
  });

  it('serves /healthz on embedded PGlite in KAIROS_DATA_DIR and stops cleanly on SIGINT', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kairos-serve-')), 'data');
    const kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir });
    const response = await fetch(`${kairos.url}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', database: 'pglite' });
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(await kairos.stop('SIGINT')).toBe(0);
    expect(kairos.logs.some((entry) => entry.msg === 'stopped')).toBe(true);
  });

  it('uses PostgreSQL when DATABASE_URL is set, migrating its schema, and stops cleanly on SIGTERM', async () => {
    const schema = uniqueSchema('serve');
    schemas.push(schema);
    const kairos = await startKairosProcess({ DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema });
    const body = (await (await fetch(`${kairos.url}/healthz`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', database: 'postgres' });
    expect(await kairos.stop('SIGTERM')).toBe(0);
    const db = openPostgres({ connectionString: testDatabaseUrl, schema });
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM migrations');
    await db.close();
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('refuses an invalid configuration with exit status 2 and names the variable', () => {
    const result = spawnSync(process.execPath, [kairosBin, 'serve'], {
      env: { ...process.env, PORT: 'seventy' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/PORT/);
  });

  it('applies migrations with `kairos migrate` and reports when up to date', () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema };
    const first = spawnSync(process.execPath, [kairosBin, 'migrate', '--json'], { env, encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { applied: string[]; database: string };
    expect(report.database).toBe('postgres');
    expect(report.applied[0]).toBe('001_initial');
    const second = spawnSync(process.execPath, [kairosBin, 'migrate'], { env, encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
  });
});
