import { KairosError } from '../errors.ts';
import { sqlNames } from './sql-names.ts';

/**
 * What the SQL console refuses by name, before the query reaches the database. The query also runs
 * under a role that may only read Kairos's tables (sql-reader-role.ts); this check is the second
 * wall, for what PostgreSQL lets every role do: read the catalogs and `pg_stat_activity`, read
 * settings, take advisory locks, and — on a superuser's connection — switch the role back with
 * `set_config('role', …)` and run SQL given as text (`query_to_xml`) with the full privilege.
 */
export const refusedClasses = {
  server_files: "reads or lists the database server's files",
  large_objects: "reads or writes large objects (lo_import reads the server's files)",
  backend_signals: "signals or reconfigures the database server's processes",
  remote_and_programs: 'connects to other servers or runs programs',
  settings: "reads or changes the database server's settings (set_config can switch the role back)",
  sql_as_text: 'runs SQL given as text, past these checks',
  catalogs: "reads PostgreSQL's catalogs and statistics (roles, sessions, settings, other schemas)",
  locks: 'takes advisory locks, which outlive the query on a pooled connection',
  server_internals: "is one of PostgreSQL's catalogs or server functions (pg_…), which the console does not reach",
  unicode_names: 'is a U&"…" name, which the console cannot check: write the name plainly',
} as const;

export type RefusedClass = keyof typeof refusedClasses;

const exact: Record<string, RefusedClass> = {};
const add = (kind: RefusedClass, names: string[]) => names.forEach((name) => (exact[name] = kind));
add('server_files', [
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_logicalmapdir',
  'pg_ls_replslotdir',
  'pg_current_logfile',
]);
add('large_objects', ['loread', 'lowrite', 'pg_largeobject', 'pg_largeobject_metadata']);
add('backend_signals', [
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_log_backend_memory_contexts',
]);
add('remote_and_programs', ['copy', 'program']);
add('settings', ['current_setting', 'set_config', 'pg_settings', 'pg_file_settings', 'pg_db_role_setting']);
// xpath_table, crosstab* and connectby* come from extensions (xml2, tablefunc) that are often installed in `public`.
add('sql_as_text', ['ts_stat', 'ts_rewrite', 'xpath_table']);
add('catalogs', [
  'pg_catalog',
  'information_schema',
  'pg_toast',
  'pg_authid',
  'pg_shadow',
  'pg_roles',
  'pg_stat_activity',
]);
add('server_internals', ['inet_server_addr', 'inet_server_port', 'inet_client_addr', 'inet_client_port']);

/** Harmless pg_ functions that analytics use. */
const allowed = new Set(['pg_typeof', 'pg_sleep', 'pg_column_size', 'pg_size_pretty']);

function classOf(name: string): RefusedClass | undefined {
  if (allowed.has(name)) return undefined;
  const known = exact[name];
  if (known) return known;
  if (name.startsWith('lo_')) return 'large_objects';
  if (name.startsWith('dblink')) return 'remote_and_programs';
  if (name.includes('_to_xml') || name.startsWith('crosstab') || name.startsWith('connectby')) return 'sql_as_text';
  if (name.startsWith('pg_advisory') || name.startsWith('pg_try_advisory')) return 'locks';
  if (name.startsWith('pg_stat') || name.startsWith('pg_auth') || name.startsWith('pg_user')) return 'catalogs';
  if (name.startsWith('pg_')) return 'server_internals';
  return undefined;
}

/**
 * Throws 403 `sql_not_allowed` naming the first name of a refused class, with the class in
 * `details`. Names are compared as the server resolves them (case-folded unless quoted, with or
 * without a schema), wherever they stand: in a call, a FROM list or an alias.
 *
 * @example
 * assertConsoleQueryAllowed("SELECT pg_read_file('/etc/hostname')"); // throws: pg_read_file, server_files
 */
export function assertConsoleQueryAllowed(query: string): void {
  const { names, unicodeIdentifier } = sqlNames(query);
  if (unicodeIdentifier) throw refused('U&"…"', 'unicode_names');
  for (const name of names) {
    const kind = classOf(name);
    if (kind) throw refused(name, kind);
  }
}

function refused(name: string, kind: RefusedClass): KairosError {
  return new KairosError(
    'sql_not_allowed',
    `${name} ${refusedClasses[kind]}: the SQL console reads Kairos's tables and views only (docs/data-model.md, docs/auth.md)`,
    { status: 403, details: { name, class: kind } },
  );
}
