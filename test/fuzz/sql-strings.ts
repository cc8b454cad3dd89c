import fc from 'fast-check';
import { hostileString } from './hostile-values.ts';

/**
 * Queries for the SQL console: reads it must answer, and every way we know to reach past Kairos's
 * tables (server files, settings, catalogs, role switches, SQL as text), written in disguises the
 * server reads the same: upper case, quoted, schema-qualified, with comments and line breaks
 * between tokens, inside strings and dollar quotes (harmless there), glued to the wrapper's edge.
 * `other` is a schema the console must not reach.
 */
export function consoleQuery(other: string): fc.Arbitrary<string> {
  const gap = fc.constantFrom(' ', '\n', '/**/', ' /* a /* nested */ one */ ', '--c\n', '\t');
  const cased = (name: string) =>
    fc.oneof(
      fc.constant(name),
      fc.constant(name.toUpperCase()),
      fc.constant(`"${name}"`),
      fc.constant(`pg_catalog.${name}`),
      fc.constant(`"pg_catalog"."${name}"`),
      fc.constant(`PG_CATALOG . ${name}`),
    );
  const call = (name: string, args: string) => cased(name).map((text) => `${text}(${args})`);
  const reaching = fc.oneof(
    call('pg_read_file', "'/etc/hostname'"),
    call('pg_read_binary_file', "'/etc/hostname'"),
    call('lo_import', "'/etc/hostname'"),
    call('current_setting', "'is_superuser'"),
    call('set_config', "'role', session_user, true"),
    call('query_to_xml', "'SELECT value FROM settings', true, false, ''"),
    call('query_to_xml', `'SELECT secret FROM ${other}.secrets', true, false, ''`),
    // The role switched back to the session's user (a superuser in tests), then SQL as text under it.
    fc
      .tuple(
        call('set_config', "'role', session_user, true"),
        call('query_to_xml', "'SELECT value FROM settings', true, false, ''"),
      )
      .map(([back, read]) => `${back}, ${read}`),
    call('pg_terminate_backend', 'pg_backend_pid() + 100000'),
    call('pg_advisory_lock', '42'),
    call('dblink', "'dbname=test', 'SELECT 1'"),
    fc.constant('(SELECT value::text FROM settings LIMIT 1)'),
    fc.constant(`(SELECT string_agg(secret, ',') FROM ${other}.secrets)`),
    cased('pg_stat_activity').map((name) => `(SELECT count(*) FROM ${name})`),
    cased('pg_authid').map((name) => `(SELECT string_agg(rolname, ',') FROM ${name})`),
    fc.constant('U&"pg\\005fread_file"(\'/etc/hostname\')'),
  );
  const harmless = fc.constantFrom(
    'count(*)',
    'now()',
    '1',
    "'pg_read_file(''/etc/hostname'')'",
    '$$ SELECT value FROM settings $$',
    "E'\\' current_setting'",
    'pg_typeof(1)',
    "date_trunc('day', now())",
  );
  const expression = fc.oneof({ weight: 3, arbitrary: harmless }, { weight: 2, arbitrary: reaching });
  const from = fc.constantFrom(
    '',
    '',
    ' FROM runs',
    ' FROM schedule_runs_v',
    ' FROM api_keys',
    ' FROM (VALUES (1)) AS v(x)',
    ' FROM settings',
    ` FROM ${other}.secrets`,
    ' FROM pg_authid',
    ' FROM information_schema.tables',
    ' FROM (VALUES (1)) AS v(x)',
  );
  const tail = fc.constantFrom('', '', ';', ' --', ' LIMIT 3', ') q; SELECT 1 --', ' UNION ALL SELECT 1');
  const select = fc
    .tuple(fc.array(fc.tuple(gap, expression), { minLength: 1, maxLength: 2 }), from, tail)
    .map(
      ([items, source, end]) =>
        `SELECT${items.map(([space, item], i) => `${i === 0 ? space : `,${space}`}${item}`).join('')}${source}${end}`,
    );
  return fc.oneof({ weight: 6, arbitrary: select }, { weight: 1, arbitrary: hostileString });
}
