import type { Queryable } from './database.ts';

/** The database server's clock now (`clock_timestamp()`, not the transaction's start), in ms since the epoch. */
export async function databaseTimeMs(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ ms: number }>(
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
  );
  return rows[0]!.ms;
}
