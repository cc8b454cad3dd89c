import { assertAdmin, type Actor } from '../auth/actor.ts';
import { KairosError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { beginReadOnly, selectWrapped, setLocalRole } from '../store/read-only-query.ts';
import { ensureSqlReaderRole } from '../store/sql-reader-role.ts';
import { assertConsoleQueryAllowed } from './sql-console-policy.ts';

/** The answer of a read-only query: column names in order, rows as JSON values. */
export interface QueryAnswer {
  columns: string[];
  rows: Record<string, unknown>[];
  row_count: number;
  /** More rows matched than `max_rows`; only the first `max_rows` are returned. */
  truncated: boolean;
}

export interface ReadOnlyQueryOptions {
  /** Statement timeout (PostgreSQL; PGlite cannot interrupt a statement). Default 10 s. */
  timeoutMs?: number;
  /** At most this many rows are returned. Default 1,000. */
  maxRows?: number;
}

const writeVerb =
  /^\s*(insert|update|delete|merge|upsert|create|drop|alter|truncate|grant|revoke|copy|vacuum|reindex|cluster|comment|lock|call|do|set|reset|begin|commit|rollback|prepare|execute|listen|notify|refresh)\b/i;

const errorCodes: Record<string, { code: string; hint: string }> = {
  '25006': { code: 'read_only', hint: 'kairos sql only reads: change data through the API or the CLI' },
  '57014': { code: 'query_timeout', hint: 'the query ran past its statement timeout: narrow it or raise --timeout' },
  '42601': { code: 'invalid_query', hint: 'give exactly one SELECT (or WITH … SELECT, VALUES, TABLE)' },
  '0A000': { code: 'invalid_query', hint: 'give exactly one SELECT (or WITH … SELECT, VALUES, TABLE)' },
  '42P01': { code: 'invalid_query', hint: 'the tables and views are listed in docs/data-model.md' },
  '42703': { code: 'invalid_query', hint: 'the columns are listed in docs/data-model.md' },
};

/**
 * Runs one query for an admin, unable to write or to reach past Kairos's own tables: names of
 * server functions and catalogs are refused first (sql-console-policy.ts); the text is wrapped as
 * a subquery (so it must be a single SELECT, VALUES or TABLE; data-modifying CTEs are not allowed
 * there), sent with a parameter (so the server refuses a second statement), inside a `READ ONLY`
 * transaction with a statement timeout, as the schema's reader role (`SET LOCAL ROLE`: SELECT on
 * the tables of docs/data-model.md only), and rolled back. Where the connection cannot switch to
 * that role the console refuses (503 `sql_console_unavailable`) rather than run with its privilege.
 *
 * @example
 * const { rows } = await readOnlyQuery(db, actor, 'SELECT schedule_name, status FROM schedule_runs_v LIMIT 5');
 */
export async function readOnlyQuery(
  db: Database,
  actor: Actor,
  text: string,
  options: ReadOnlyQueryOptions = {},
): Promise<QueryAnswer> {
  assertAdmin(actor, 'run SQL queries');
  const query = text.trim().replace(/;\s*$/, '');
  if (query === '')
    throw new KairosError('invalid_query', 'the query is empty: give one SELECT statement', { status: 400 });
  const verb = writeVerb.exec(query)?.[1];
  if (verb) {
    throw new KairosError(
      'read_only',
      `${verb.toUpperCase()} is a write: kairos sql only reads (change data through the API or the CLI)`,
      {
        status: 400,
      },
    );
  }
  assertConsoleQueryAllowed(query);
  const reader = await ensureSqlReaderRole(db);
  if (!reader.ready) throw unavailable(reader.role, reader.reason, reader.grant);
  const maxRows = options.maxRows ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const rollback = new Error('rollback');
  let answer: QueryAnswer | undefined;
  try {
    await db.transaction(async (tx) => {
      await beginReadOnly(tx, timeoutMs);
      try {
        await setLocalRole(tx, reader.role);
      } catch (error) {
        throw unavailable(reader.role, (error as Error).message, `GRANT "${reader.role}" TO CURRENT_USER;`);
      }
      const rows = await selectWrapped(tx, query, maxRows + 1);
      const truncated = rows.length > maxRows;
      const kept = truncated ? rows.slice(0, maxRows) : rows;
      answer = { columns: Object.keys(kept[0] ?? {}), rows: kept.map(jsonRow), row_count: kept.length, truncated };
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw queryError(error);
  }
  return answer!;
}

function unavailable(role: string, reason: string, grant: string): KairosError {
  return new KairosError(
    'sql_console_unavailable',
    `the SQL console runs queries as the read-only role ${role}, and cannot: ${reason}. An operator runs once, as a superuser: ${grant} (docs/auth.md#the-sql-console)`,
    { status: 503, details: { role, grant } },
  );
}

function queryError(error: unknown): unknown {
  if (error instanceof KairosError) return error;
  const code = (error as { code?: string }).code;
  if (code === '42501') {
    return new KairosError(
      'sql_not_allowed',
      `${(error as Error).message}: the SQL console reads the tables and views of docs/data-model.md only (docs/auth.md)`,
      { status: 403, details: { class: 'not_granted', sqlstate: code } },
    );
  }
  const known = code === undefined ? undefined : errorCodes[code];
  if (!known && !(code && /^(22|42)/.test(code))) return error;
  const { code: kind, hint } = known ?? { code: 'invalid_query', hint: 'check the query against docs/data-model.md' };
  return new KairosError(kind, `${(error as Error).message} (${hint})`, { status: 400, details: { sqlstate: code } });
}

/** Dates as ISO strings and bigints as numbers where exact, so that rows are plain JSON. */
function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    out[name] =
      value instanceof Date
        ? value.toISOString()
        : typeof value === 'bigint'
          ? Number.isSafeInteger(Number(value))
            ? Number(value)
            : String(value)
          : value;
  }
  return out;
}
