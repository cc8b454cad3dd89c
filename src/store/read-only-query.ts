import type { Queryable } from './database.ts';

/**
 * The statements of the SQL console (src/observability/read-only-query.ts checks the text and
 * maps errors; these run it). All are transaction-local: the caller rolls the transaction back.
 */

/** Makes the transaction read-only with a statement timeout, and strings standard (as the name check reads them). */
export async function beginReadOnly(tx: Queryable, timeoutMs: number): Promise<void> {
  await tx.query('SET TRANSACTION READ ONLY');
  await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(1, Math.round(timeoutMs)))]);
  // The name check reads strings as the server does only with standard strings.
  await tx.query(`SELECT set_config('standard_conforming_strings', 'on', true)`);
}

/** Switches to `role` for the rest of the transaction (`SET LOCAL ROLE`); throws when the connection cannot. */
export async function setLocalRole(tx: Queryable, role: string): Promise<void> {
  await tx.query(`SELECT set_config('role', $1, true)`, [role]);
}

/**
 * Runs an admin's query, already checked, wrapped as a subquery (so it must be one SELECT, VALUES
 * or TABLE) and sent with a parameter (so the server refuses a second statement): at most `limit` rows.
 */
export async function selectWrapped(tx: Queryable, query: string, limit: number): Promise<Record<string, unknown>[]> {
  // The newline ends a trailing `--` comment before the wrapper closes.
  const { rows } = await tx.query<Record<string, unknown>>(`SELECT * FROM (\n${query}\n) AS kairos_query LIMIT $1`, [
    limit,
  ]);
  return rows;
}
