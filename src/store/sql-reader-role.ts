import type { Database, Queryable } from './database.ts';
import { quoteIdent } from './database.ts';

/**
 * The tables and views the SQL console may read (docs/data-model.md): the reader role gets SELECT
 * on these and nothing else. A table added here must be documented there, and must hold no secret
 * (`api_keys` holds SHA-256 hashes of random keys, not the keys). Not here, so not readable:
 * `settings`, `replicas`, `migrations` (engine internals).
 */
export const sqlReaderRelations = [
  'users',
  'api_keys',
  'assistants',
  'workflows',
  'workflow_versions',
  'threads',
  'messages',
  'schedules',
  'schedule_events',
  'runs',
  'run_events',
  'run_steps',
  'triggers',
  'trigger_deliveries',
  'run_usage_v',
  'schedule_runs_v',
  'schedule_runs_daily_v',
] as const;

/**
 * The role console queries run as. Roles are cluster-wide while a schema is one Kairos, so the
 * role is named per schema (two Kairos schemas in one database never read each other).
 */
export function sqlReaderRole(schema: string): string {
  return `${schema}_sql_reader`;
}

/** Ready to `SET LOCAL ROLE`, or why not with the statement an operator runs once. */
export type SqlReaderState =
  { ready: true; role: string } | { ready: false; role: string; reason: string; grant: string };

const ready = new WeakMap<Database, Promise<SqlReaderState>>();

/**
 * Creates the reader role if this connection may (ignoring a twin creating it at the same
 * moment), grants it USAGE on the schema and SELECT on `sqlReaderRelations`, and makes the
 * connecting user able to switch to it. Serialised with migrations by their advisory lock; once
 * ready, remembered for the life of `db` (a failure is not, so an operator's GRANT is seen at once).
 */
export function ensureSqlReaderRole(db: Database): Promise<SqlReaderState> {
  const known = ready.get(db);
  if (known) return known;
  const attempt = db.transaction((tx) => prepare(tx, db.schema));
  ready.set(db, attempt);
  attempt.then(
    (state) => {
      if (!state.ready) ready.delete(db);
    },
    () => ready.delete(db),
  );
  return attempt;
}

interface RoleRow {
  extra: string[];
}

const sqlState = (error: unknown) => (error as { code?: string }).code;

async function prepare(tx: Queryable, schema: string): Promise<SqlReaderState> {
  const role = sqlReaderRole(schema);
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kairos:migrate:${schema}`]);
  const me = (await tx.query<{ name: string }>('SELECT current_user AS name')).rows[0]!;
  const create = `CREATE ROLE ${quoteIdent(role)} NOLOGIN; GRANT ${quoteIdent(role)} TO ${quoteIdent(me.name)};`;
  let row = await readRole(tx, role);
  if (!row) {
    await tx.query('SAVEPOINT kairos_sql_reader');
    try {
      await tx.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
      await tx.query('RELEASE SAVEPOINT kairos_sql_reader');
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT kairos_sql_reader');
      // 42710 or 23505: another database's Kairos on this cluster created it at the same moment.
      if (sqlState(error) !== '42710' && sqlState(error) !== '23505') {
        return {
          ready: false,
          role,
          reason: `this connection (${me.name}) may not create roles (${(error as Error).message})`,
          grant: create,
        };
      }
    }
    row = await readRole(tx, role);
    if (!row) return { ready: false, role, reason: `the role ${role} could not be created`, grant: create };
  }
  if (row.extra.length > 0) {
    return {
      ready: false,
      role,
      reason: `the role ${role} may do more than read (${row.extra.join(', ')}), so the console will not run as it`,
      grant: `DROP ROLE ${quoteIdent(role)}; -- Kairos creates it again with read access only`,
    };
  }
  await grantReads(tx, schema, role);
  // Tried rather than read from pg_has_role: since PostgreSQL 16 a role's creator may hold it
  // without the SET option, which only the switch itself tells.
  if (!(await canSwitchTo(tx, role))) {
    let refusal = '';
    await tx.query('SAVEPOINT kairos_sql_reader');
    try {
      await tx.query(`GRANT ${quoteIdent(role)} TO ${quoteIdent(me.name)}`);
      await tx.query('RELEASE SAVEPOINT kairos_sql_reader');
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT kairos_sql_reader');
      refusal = ` (${(error as Error).message})`;
    }
    if (!(await canSwitchTo(tx, role))) {
      return {
        ready: false,
        role,
        reason: `this connection (${me.name}) may not switch to the role ${role}${refusal}`,
        grant: `GRANT ${quoteIdent(role)} TO ${quoteIdent(me.name)};`,
      };
    }
  }
  return { ready: true, role };
}

/** Whether `SET LOCAL ROLE` to `role` works here; undone at once either way. */
async function canSwitchTo(tx: Queryable, role: string): Promise<boolean> {
  await tx.query('SAVEPOINT kairos_sql_reader_switch');
  try {
    await tx.query(`SELECT set_config('role', $1, true)`, [role]);
    return true;
  } catch {
    return false;
  } finally {
    await tx.query('ROLLBACK TO SAVEPOINT kairos_sql_reader_switch');
  }
}

/** The role, with what it may do beyond reading: attributes and memberships (pg_read_server_files …). */
async function readRole(tx: Queryable, role: string): Promise<RoleRow | undefined> {
  const { rows } = await tx.query<RoleRow>(
    `SELECT array_remove(ARRAY[
              CASE WHEN r.rolsuper THEN 'SUPERUSER' END,
              CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
              CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
              CASE WHEN r.rolreplication THEN 'REPLICATION' END,
              CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END
            ] || ARRAY(SELECT 'member of ' || g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid ORDER BY g.rolname), NULL) AS extra
     FROM pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  return rows[0];
}

/** USAGE on the schema and SELECT on each readable relation that exists and is not yet granted. */
async function grantReads(tx: Queryable, schema: string, role: string): Promise<void> {
  const { rows } = await tx.query<{ name: string }>(
    `SELECT name FROM unnest($1::text[]) AS name
     WHERE to_regclass(format('%I.%I', $2::text, name)) IS NOT NULL
       AND NOT has_table_privilege($3, format('%I.%I', $2::text, name), 'SELECT')`,
    [sqlReaderRelations, schema, role],
  );
  if (
    !(await tx.query<{ ok: boolean }>(`SELECT has_schema_privilege($1, $2, 'USAGE') AS ok`, [role, schema])).rows[0]!.ok
  )
    await tx.query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${quoteIdent(role)}`);
  if (rows.length === 0) return;
  const relations = rows.map((row) => `${quoteIdent(schema)}.${quoteIdent(row.name)}`).join(', ');
  await tx.query(`GRANT SELECT ON ${relations} TO ${quoteIdent(role)}`);
}
