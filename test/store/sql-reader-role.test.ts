import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdmin } from '../../src/auth/actor.ts';
import { KairosError } from '../../src/errors.ts';
import { readOnlyQuery } from '../../src/observability/read-only-query.ts';
import type { Database } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { ensureSqlReaderRole, sqlReaderRole } from '../../src/store/sql-reader-role.ts';
import {
  createTestDatabase,
  databaseKinds,
  testDatabaseUrl,
  uniqueSchema,
  type TestDatabase,
} from '../helpers/databases.ts';

/** Runs `text` as the reader role in a read-only transaction, without the console's name check. */
async function asReader(db: Database, text: string): Promise<{ ok: true } | { ok: false; sqlstate: string }> {
  const rollback = new Error('rollback');
  let outcome: { ok: true } | { ok: false; sqlstate: string } = { ok: true };
  try {
    await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      await tx.query(`SELECT set_config('role', $1, true)`, [sqlReaderRole(db.schema)]);
      try {
        await tx.query(text);
      } catch (error) {
        outcome = { ok: false, sqlstate: (error as { code: string }).code };
      }
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  return outcome;
}

describe.each(databaseKinds)('the SQL console reader role (%s)', (kind) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    expect(await ensureSqlReaderRole(test.db)).toEqual({ ready: true, role: sqlReaderRole(test.db.schema) });
  });
  afterAll(async () => test?.close());

  it('reads the documented tables and views', async () => {
    for (const name of ['runs', 'schedules', 'run_events', 'run_steps', 'workflows', 'api_keys', 'schedule_runs_v'])
      expect(await asReader(test.db, `SELECT * FROM ${name} LIMIT 1`), name).toEqual({ ok: true });
  });

  // The role alone, without the name check in front of it: what PostgreSQL refuses to any non-superuser.
  it.each([
    ["SELECT pg_read_file('/etc/hostname')", 'server files'],
    ["SELECT * FROM pg_ls_dir('.')", 'the data directory'],
    ["SELECT lo_import('/etc/hostname')", 'large objects'],
    ['SELECT rolpassword FROM pg_authid', 'password hashes'],
    ["SELECT current_setting('data_directory')", 'superuser-only settings'],
    ['SELECT * FROM settings', 'an undocumented Kairos table'],
    ['SELECT * FROM replicas', 'another undocumented Kairos table'],
  ])('refuses %s (%s) with permission denied', async (text) => {
    expect(await asReader(test.db, text)).toEqual({ ok: false, sqlstate: '42501' });
  });

  it('cannot reach a second Kairos schema in the same database', async () => {
    // Another Kairos's schema (its reader role too), beside this one in the same database.
    const other = uniqueSchema();
    await test.db.exec(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.runs (id int)`);
    try {
      expect(await ensureSqlReaderRole({ ...test.db, schema: other })).toMatchObject({ ready: true });
      expect(await asReader(test.db, `SELECT * FROM ${other}.runs`)).toEqual({ ok: false, sqlstate: '42501' });
    } finally {
      await test.db.exec(`DROP SCHEMA ${other} CASCADE; DROP ROLE IF EXISTS ${sqlReaderRole(other)}`);
    }
  });

  it('is named per schema, and ready again at once', async () => {
    expect(sqlReaderRole(test.db.schema)).toBe(`${test.db.schema}_sql_reader`);
    expect((await ensureSqlReaderRole(test.db)).ready).toBe(true);
  });
});

describe('the SQL console reader role on PostgreSQL: races, and connections that cannot manage roles', () => {
  it('10 replicas preparing the role at once on a fresh schema all end ready', async () => {
    const test = await createTestDatabase('postgres');
    const replicas = Array.from({ length: 10 }, () => test.connectAgain());
    try {
      const states = await Promise.all(replicas.map((db) => ensureSqlReaderRole(db)));
      expect(states.every((state) => state.ready)).toBe(true);
      const { rows } = await test.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1',
        [sqlReaderRole(test.db.schema)],
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await test.close();
    }
  });

  it('two databases of one cluster with the same schema name create the shared role once, both ready', async () => {
    // Advisory locks are per database, so these two race on CREATE ROLE itself.
    const schema = uniqueSchema();
    const database = `${schema}_db`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(testDatabaseUrl);
    url.pathname = `/${database}`;
    const first = openPostgres({ connectionString: testDatabaseUrl, schema, poolSize: 4 });
    const second = openPostgres({ connectionString: url.toString(), schema, poolSize: 4 });
    try {
      // The schema alone: the role's grants skip the tables that do not exist.
      await Promise.all([first, second].map((db) => db.exec(`CREATE SCHEMA ${schema}`)));
      const states = await Promise.all([first, second, first, second].map((db) => ensureSqlReaderRole(db)));
      expect(states.map((state) => state.ready)).toEqual([true, true, true, true]);
      for (const db of [first, second])
        expect((await readOnlyQuery(db, localAdmin, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await first.exec(`DROP SCHEMA ${schema} CASCADE`);
      await first.close();
      await second.close();
      await admin.query(`DROP DATABASE ${database}`);
      await admin.query(`DROP ROLE IF EXISTS ${sqlReaderRole(schema)}`);
      await admin.end();
    }
  });

  it('refuses to run as a role that can do more than read', async () => {
    const test = await createTestDatabase('postgres');
    const role = sqlReaderRole(test.db.schema);
    try {
      await test.db.exec(`CREATE ROLE ${role} NOLOGIN; GRANT pg_read_server_files TO ${role}`);
      const state = await ensureSqlReaderRole(test.db);
      expect(state).toMatchObject({ ready: false, role });
      expect(!state.ready && state.reason).toContain('member of pg_read_server_files');
      const error = await readOnlyQuery(test.db, localAdmin, 'SELECT 1').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KairosError);
      expect((error as KairosError).code).toBe('sql_console_unavailable');
      expect((error as KairosError).status).toBe(503);
    } finally {
      await test.close();
    }
  });

  /** A migrated Kairos connected as a user that owns its schema and may create schemas, with `attributes`. */
  async function asAppUser(
    attributes: string,
    fn: (db: Database, admin: pg.Client, names: { schema: string; user: string }) => Promise<void>,
  ): Promise<void> {
    const schema = uniqueSchema();
    const user = `${schema}_app`;
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    const database = (await admin.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
    // Migrations say CREATE SCHEMA IF NOT EXISTS, which needs CREATE on the database.
    await admin.query(
      `CREATE ROLE ${user} LOGIN ${attributes}; CREATE SCHEMA ${schema} AUTHORIZATION ${user}; GRANT CREATE ON DATABASE "${database}" TO ${user}`,
    );
    const url = new URL(testDatabaseUrl);
    url.username = user;
    const db = openPostgres({ connectionString: url.toString(), schema, poolSize: 2 });
    try {
      await migrate(db);
      await fn(db, admin, { schema, user });
    } finally {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.query(`DROP OWNED BY ${schema}_sql_reader; DROP ROLE ${schema}_sql_reader`).catch(() => {});
      await admin.query(`DROP OWNED BY ${user}; DROP ROLE ${user}`);
      await admin.end();
    }
  }

  it('answers 503 naming the GRANT when the connecting user may not create roles, and works once it is run', async () => {
    await asAppUser('NOSUPERUSER NOCREATEROLE', async (db, admin, { schema, user }) => {
      const refused = (await readOnlyQuery(db, localAdmin, 'SELECT count(*) AS n FROM runs').catch(
        (caught: unknown) => caught,
      )) as KairosError;
      expect(refused.code).toBe('sql_console_unavailable');
      expect(refused.status).toBe(503);
      const { grant } = refused.details as { grant: string };
      expect(grant).toBe(`CREATE ROLE "${schema}_sql_reader" NOLOGIN; GRANT "${schema}_sql_reader" TO "${user}";`);
      expect(refused.message).toContain(grant);
      // The operator runs it once; Kairos grants the reads itself (it owns the tables).
      await admin.query(grant);
      const answer = await readOnlyQuery(db, localAdmin, 'SELECT count(*) AS n FROM runs');
      expect(answer.rows).toEqual([{ n: 0 }]);
      const denied = (await readOnlyQuery(db, localAdmin, 'SELECT * FROM settings').catch(
        (caught: unknown) => caught,
      )) as KairosError;
      expect(denied.code).toBe('sql_not_allowed');
    });
  });

  it('answers 503 naming the GRANT when the role exists but the connecting user may not switch to it', async () => {
    await asAppUser('NOSUPERUSER NOCREATEROLE', async (db, admin, { schema, user }) => {
      await admin.query(`CREATE ROLE ${schema}_sql_reader NOLOGIN`);
      const refused = (await readOnlyQuery(db, localAdmin, 'SELECT 1').catch(
        (caught: unknown) => caught,
      )) as KairosError;
      expect(refused.code).toBe('sql_console_unavailable');
      expect((refused.details as { grant: string }).grant).toBe(`GRANT "${schema}_sql_reader" TO "${user}";`);
    });
  });

  it('needs no operator when the connecting user may create roles (CREATEROLE, not a superuser)', async () => {
    await asAppUser('NOSUPERUSER CREATEROLE', async (db) => {
      const answer = await readOnlyQuery(db, localAdmin, 'SELECT count(*) AS n FROM runs');
      expect(answer.rows).toEqual([{ n: 0 }]);
      const refused = (await readOnlyQuery(db, localAdmin, 'SELECT * FROM replicas').catch(
        (caught: unknown) => caught,
      )) as KairosError;
      expect(refused.code).toBe('sql_not_allowed');
    });
  });
});
