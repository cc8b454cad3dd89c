import type { Queryable } from './database.ts';

/** The cheapest round trip: resolves when the database answers, rejects when it cannot. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}
