import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/store/database.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { createTestDatabase, databaseKinds, testDatabaseUrl, uniqueSchema } from '../helpers/databases.ts';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  it('loads the shipped migrations in numeric order', async () => {
    const migrations = await loadMigrations();
    expect(migrations[0]).toMatchObject({ id: 1, name: 'initial' });
    expect(migrations.map((m) => m.id)).toEqual([...migrations.map((m) => m.id)].sort((a, b) => a - b));
  });

  it('refuses badly named or duplicate migration files', async () => {
    await expect(loadMigrations(migrationsDir({ 'first.sql': 'SELECT 1' }))).rejects.toThrow(/NNN_name\.sql/);
    await expect(loadMigrations(migrationsDir({ '001_a.sql': 'SELECT 1', '01_b.sql': 'SELECT 1' }))).rejects.toThrow(
      /share number 1/,
    );
  });

  it.each(databaseKinds)(
    'code one migration behind the database starts; more than one behind refuses, naming both versions (%s)',
    { timeout: 120_000 },
    async (kind) => {
      const test = await createTestDatabase(kind, { migrated: false });
      cleanup.push(() => test.close());
      const files = {
        '001_first.sql': 'CREATE TABLE a (id int)',
        '002_second.sql': 'CREATE TABLE b (id int)',
        '003_third.sql': 'CREATE TABLE c (id int)',
      };
      expect(await migrate(test.db, { migrationsDir: migrationsDir(files) })).toEqual([
        '001_first',
        '002_second',
        '003_third',
      ]);
      // The previous release (it knows 001 and 002): starts, applies nothing.
      const { '003_third.sql': _third, ...previous } = files;
      expect(await migrate(test.db, { migrationsDir: migrationsDir(previous) })).toEqual([]);
      // Two releases back (it knows 001 only): refused, naming both versions, nothing changed.
      const older = migrate(test.db, { migrationsDir: migrationsDir({ '001_first.sql': files['001_first.sql'] }) });
      await expect(older).rejects.toMatchObject({
        code: 'database_newer',
        message: expect.stringMatching(
          /database is at migration 003_third, 2 migrations newer than this code \(001_first\)/,
        ),
      });
      const { rows } = await test.db.query<{ id: number }>('SELECT id FROM migrations ORDER BY id');
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
    },
  );

  // Opening PGlite costs ~4 s of CPU (its WebAssembly); at load average 20 on 2 cores this case took 44 s.
  it.each(databaseKinds)(
    'applies every migration once and is a no-op the second time (%s)',
    { timeout: 120_000 },
    async (kind) => {
      const test = await createTestDatabase(kind, { migrated: false });
      cleanup.push(() => test.close());
      const first = await migrate(test.db);
      expect(first[0]).toBe('001_initial');
      expect(await migrate(test.db)).toEqual([]);
      const { rows } = await test.db.query<{ id: number }>('SELECT id FROM migrations ORDER BY id');
      expect(rows.map((row) => row.id)).toEqual((await loadMigrations()).map((m) => m.id));
    },
  );

  it('10 concurrent migrators on PostgreSQL apply each migration exactly once', async () => {
    const schema = uniqueSchema();
    // Each migration appends to a log; a second application would add a second row.
    const dir = migrationsDir({
      '001_log.sql': "CREATE TABLE applied_log (name text NOT NULL); INSERT INTO applied_log VALUES ('001');",
      '002_more.sql': "INSERT INTO applied_log VALUES ('002'); SELECT pg_sleep(0.05);",
      '003_last.sql': "CREATE TABLE other (v int); INSERT INTO applied_log VALUES ('003');",
    });
    const migrators = Array.from({ length: 10 }, () =>
      openPostgres({ connectionString: testDatabaseUrl, schema, poolSize: 2 }),
    );
    cleanup.push(async () => {
      await migrators[0]!.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      for (const db of migrators) await db.close();
    });
    const results = await Promise.all(migrators.map((db) => migrate(db, { migrationsDir: dir })));
    expect(results.flat().sort()).toEqual(['001_log', '002_more', '003_last']);
    const { rows } = await migrators[0]!.query<{ name: string }>('SELECT name FROM applied_log ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(['001', '002', '003']);
    const { rows: recorded } = await migrators[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM migrations');
    expect(recorded[0]!.n).toBe(3);
  });

  it('rolls back a failing migration entirely and reports it', async () => {
    const test = await createTestDatabase('postgres', { migrated: false });
    cleanup.push(() => test.close());
    const dir = migrationsDir({
      '001_ok.sql': 'CREATE TABLE ok_table (v int);',
      '002_bad.sql': 'CREATE TABLE half_done (v int); SELECT no_such_function();',
    });
    await expect(migrate(test.db, { migrationsDir: dir })).rejects.toThrow(/no_such_function/);
    const { rows } = await test.db.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [test.db.schema],
    );
    expect(rows.map((row) => row.name)).toEqual(['migrations', 'ok_table']);
  });
});
