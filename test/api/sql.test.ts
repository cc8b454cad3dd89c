import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe.each(databaseKinds)('POST /api/v1/sql (%s)', (kind) => {
  let api: ApiHarness;
  let admin: Caller;
  let member: Caller;
  const query = (key: string, body: unknown) => api.call('POST', '/api/v1/sql', { key, body });
  const runCount = async () =>
    Number((await api.db.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);

  beforeAll(async () => {
    api = await createApiHarness(kind);
    admin = await api.caller('admin');
    member = await api.caller('member');
  });
  afterAll(async () => api?.close());

  it('answers columns and rows of a read-only query for an admin', async () => {
    const response = await query(admin.key, { query: 'SELECT name, role FROM users ORDER BY name;' });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      columns: string[];
      rows: Array<Record<string, unknown>>;
      row_count: number;
      truncated: boolean;
    };
    expect(answer.columns).toEqual(['name', 'role']);
    expect(answer.rows.map((row) => row.role).sort()).toEqual(['admin', 'admin', 'member']);
    expect(answer.truncated).toBe(false);
  });

  it('caps the rows and says so', async () => {
    const answer = (await (
      await query(admin.key, { query: 'SELECT g FROM generate_series(1, 50) g', max_rows: 10 })
    ).json()) as {
      rows: unknown[];
      truncated: boolean;
    };
    expect(answer.rows).toHaveLength(10);
    expect(answer.truncated).toBe(true);
  });

  it('reads the documented views', async () => {
    const response = await query(admin.key, { query: 'SELECT * FROM schedule_runs_v LIMIT 1' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([]);
  });

  it('refuses members with 403 and changes nothing', async () => {
    const response = await query(member.key, { query: 'SELECT 1' });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('forbidden');
  });

  it.each([
    ['a write', "INSERT INTO users (name, role) VALUES ('mallory', 'admin')", ['read_only', 'invalid_query']],
    ['a second statement', "SELECT 1; INSERT INTO users (name, role) VALUES ('mallory', 'admin')", ['invalid_query']],
    [
      'an escape from the wrapper',
      "SELECT 1) q; INSERT INTO users (name, role) VALUES ('mallory', 'admin'); SELECT * FROM (SELECT 1",
      ['invalid_query'],
    ],
    [
      'a data-modifying CTE',
      "WITH x AS (INSERT INTO users (name, role) VALUES ('mallory', 'admin') RETURNING 1) SELECT * FROM x",
      ['invalid_query', 'read_only'],
    ],
    ['a sequence bump', "SELECT nextval('schedule_events_id_seq')", ['read_only', 'sql_not_allowed']],
    ['a trailing comment that would hide the wrapper', 'SELECT 1 --', null],
    ['an unknown table', 'SELECT * FROM nothing_here', ['invalid_query']],
  ])('%s is refused with a 400 naming why (or harmless)', async (_label, text, codes) => {
    const before = await runCount();
    const response = await query(admin.key, { query: text });
    if (codes === null) expect(response.status).toBe(200);
    else {
      expect([400, 403]).toContain(response.status);
      expect(codes).toContain((await errorOf(response)).code);
    }
    expect(await runCount()).toBe(before);
  });

  // Issue 24's table, and the ways around a role switch on a superuser's connection.
  it.each([
    ["SELECT pg_read_file('/etc/hostname')", 'pg_read_file', 'server_files'],
    ["SELECT * FROM pg_ls_dir('.')", 'pg_ls_dir', 'server_files'],
    ["SELECT lo_import('/etc/hostname')", 'lo_import', 'large_objects'],
    ["SELECT current_setting('is_superuser')", 'current_setting', 'settings'],
    ['SELECT count(*) FROM pg_stat_activity', 'pg_stat_activity', 'catalogs'],
    ['SELECT pg_terminate_backend(pid) FROM runs', 'pg_terminate_backend', 'backend_signals'],
    ["SELECT set_config('role', session_user, true)", 'set_config', 'settings'],
    ["SELECT query_to_xml('SELECT pg_read_file(''/etc/hostname'')', true, false, '')", 'query_to_xml', 'sql_as_text'],
    ["SELECT * FROM dblink('host=127.0.0.1', 'SELECT 1') AS t(x int)", 'dblink', 'remote_and_programs'],
    ['SELECT rolpassword FROM PG_CATALOG.pg_authid', 'pg_catalog', 'catalogs'],
    ['SELECT * FROM "information_schema".tables', 'information_schema', 'catalogs'],
    ['SELECT pg_advisory_lock(1)', 'pg_advisory_lock', 'locks'],
  ])('%s answers 403 sql_not_allowed naming %s', async (text, name, kind) => {
    const response = await query(admin.key, { query: text });
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.code).toBe('sql_not_allowed');
    expect(error.details).toEqual({ name, class: kind });
    expect(error.message).toContain(name);
  });

  it.each([
    ['a Kairos table that is not documented', () => 'SELECT * FROM settings'],
    ['another schema', () => `SELECT * FROM ${api.db.schema}_other.secrets`],
  ])('%s answers 403 sql_not_allowed from the role', async (_label, text) => {
    const other = `${api.db.schema}_other`;
    await api.db.exec(
      `CREATE SCHEMA IF NOT EXISTS ${other}; CREATE TABLE IF NOT EXISTS ${other}.secrets (secret text)`,
    );
    try {
      const response = await query(admin.key, { query: text() });
      expect(response.status).toBe(403);
      const error = await errorOf(response);
      expect(error.code).toBe('sql_not_allowed');
      expect(error.details).toMatchObject({ class: 'not_granted' });
    } finally {
      await api.db.exec(`DROP SCHEMA ${other} CASCADE`);
    }
  });

  it('reads API-key hashes but never a key', async () => {
    const response = await query(admin.key, { query: 'SELECT prefix, hash FROM api_keys' });
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: Array<{ hash: string }> };
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.hash))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(admin.key);
  });

  it.runIf(kind === 'postgres')('stops a query at its statement timeout', async () => {
    const response = await query(admin.key, { query: 'SELECT pg_sleep(5)', timeout_ms: 50 });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('query_timeout');
  });
});
