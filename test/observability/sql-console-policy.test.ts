import { describe, expect, it } from 'vitest';
import { KairosError } from '../../src/errors.ts';
import { assertConsoleQueryAllowed } from '../../src/observability/sql-console-policy.ts';
import { sqlNames } from '../../src/observability/sql-names.ts';

function refusal(query: string): { name: string; class: string } | undefined {
  try {
    assertConsoleQueryAllowed(query);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(KairosError);
    expect((error as KairosError).code).toBe('sql_not_allowed');
    expect((error as KairosError).status).toBe(403);
    return (error as KairosError).details as { name: string; class: string };
  }
}

describe('sqlNames: the names a query uses, as the server reads them', () => {
  it('folds unquoted names, keeps quoted ones and skips strings and comments', () => {
    expect(
      sqlNames(
        `SELECT "Name", Now() FROM Runs -- pg_read_file\n/* lo_import /* nested */ set_config */ WHERE x = 'current_setting'`,
      ).names,
    ).toEqual(['select', 'Name', 'now', 'from', 'runs', 'where', 'x']);
  });

  it.each([
    ['dollar quotes', "SELECT $$pg_read_file$$, $tag$ ' $$ lo_import $tag$, a$b", ['select', 'a$b']],
    ['a long dollar tag', `SELECT $${'t'.repeat(80)}$ ' $${'t'.repeat(80)}$, x --'`, ['select', 'x']],
    ['E-strings with escaped quotes', "SELECT E'\\' pg_read_file', y", ['select', 'y']],
    ['standard strings keep backslashes', "SELECT '\\', z --'", ['select', 'z']],
    ['doubled quotes', `SELECT 'it''s', "a""b"`, ['select', 'a"b']],
    ['a parameter is not a dollar quote', 'SELECT $1$ , w', ['select', 'w']],
    ['names glued to numbers', 'SELECT 1current_setting', ['select', 'current_setting']],
    ['unicode strings', "SELECT U&'d\\0061t' AS v", ['select', 'as', 'v']],
  ])('%s', (_label, text, names) => {
    expect(sqlNames(text).names).toEqual(names);
  });

  it('flags U&"…" names, whose spelling is only known after escapes', () => {
    expect(sqlNames('SELECT U&"pg\\005fread_file"(\'x\')').unicodeIdentifier).toBe(true);
    expect(sqlNames("SELECT U&'x'").unicodeIdentifier).toBe(false);
  });
});

describe('assertConsoleQueryAllowed', () => {
  it.each([
    ["SELECT PG_READ_FILE('/etc/hostname')", 'pg_read_file', 'server_files'],
    ['SELECT "pg_ls_dir"(\'.\')', 'pg_ls_dir', 'server_files'],
    ["SELECT pg_catalog . lo_export(1, '/tmp/x')", 'pg_catalog', 'catalogs'],
    ["SELECT lo_from_bytea(0, 'x')", 'lo_from_bytea', 'large_objects'],
    ['SELECT loread(0, 1)', 'loread', 'large_objects'],
    ['SELECT pg_cancel_backend(1)', 'pg_cancel_backend', 'backend_signals'],
    ['SELECT pg_reload_conf()', 'pg_reload_conf', 'backend_signals'],
    ["SELECT dblink_exec('x', 'y')", 'dblink_exec', 'remote_and_programs'],
    ['SELECT 1 FROM runs WHERE false UNION SELECT 1 FROM (COPY x TO PROGRAM $$id$$) q', 'copy', 'remote_and_programs'],
    ["SELECT 1current_setting('x')", 'current_setting', 'settings'],
    ['SELECT * FROM pg_settings', 'pg_settings', 'settings'],
    ["SELECT ts_stat('SELECT 1')", 'ts_stat', 'sql_as_text'],
    ["SELECT * FROM crosstab('SELECT 1') AS t(a int)", 'crosstab', 'sql_as_text'],
    ["SELECT * FROM xpath_table('id', 'x', 'settings', '/a', 'true') AS t(id int)", 'xpath_table', 'sql_as_text'],
    ["SELECT cursor_to_xml('c', 1, true, false, '')", 'cursor_to_xml', 'sql_as_text'],
    ["SELECT database_to_xmlschema(true, false, '')", 'database_to_xmlschema', 'sql_as_text'],
    ['SELECT * FROM pg_roles', 'pg_roles', 'catalogs'],
    ['SELECT usename FROM pg_user', 'pg_user', 'catalogs'],
    ['SELECT * FROM pg_stat_statements', 'pg_stat_statements', 'catalogs'],
    ['SELECT pg_try_advisory_lock(1)', 'pg_try_advisory_lock', 'locks'],
    ['SELECT inet_server_addr()', 'inet_server_addr', 'server_internals'],
    ['SELECT U&"pg\\005fread_file"(\'x\')', 'U&"…"', 'unicode_names'],
    ["SELECT 1) q; SELECT pg_read_file('x') --", 'pg_read_file', 'server_files'],
  ])('refuses %s naming %s (%s)', (query, name, kind) => {
    expect(refusal(query)).toEqual({ name, class: kind });
  });

  it.each([
    "SELECT schedule_name, status FROM schedule_runs_v WHERE created_at >= now() - interval '1 day'",
    "SELECT pg_typeof(1), pg_sleep(0), 'pg_read_file', $$lo_import$$ -- set_config",
    'SELECT r.id, r.version FROM schedules r',
    "SELECT jsonb_set(input, '{a}', '1') FROM runs",
    "SELECT date_trunc('day', created_at), count(*) FROM runs GROUP BY 1",
  ])('lets %s through', (query) => {
    expect(refusal(query)).toBeUndefined();
  });
});
