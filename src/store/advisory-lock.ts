import type { Queryable } from './database.ts';

/**
 * Takes a transaction-scoped advisory lock on `key` (hashed to 64 bits): transactions that
 * lock the same key take turns until each commits or rolls back. Include the schema in the key
 * so that tenants of one server do not wait on each other.
 */
export async function advisoryXactLock(tx: Queryable, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
