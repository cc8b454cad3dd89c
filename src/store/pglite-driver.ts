import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { assertSchemaName, physicalChannel, quoteIdent } from './database.ts';

export interface PgliteOptions {
  /** Directory for the data files; omitted means in memory (tests). */
  dataDir?: string;
  schema: string;
}

interface PgliteQueryable {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function wrap(target: PgliteQueryable): Queryable {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(text, params as unknown[] | undefined);
      // Postgres reports affected rows for UPDATE/DELETE, returned rows for SELECT.
      return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await target.exec(text);
    },
  };
}

/**
 * PostgreSQL compiled to WASM, in this process: the zero-set-up default. One connection, so
 * statements are serialised; multi-replica deployments need a real server.
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  const schema = assertSchemaName(options.schema);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Before opening: a second process must stop here, not open the same files.
  const release = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  let db: PGlite;
  try {
    db = new PGlite(options.dataDir, {
      // int8 as number, as in the pg driver.
      parsers: { [pgliteTypes.INT8]: (value: string) => Number(value) },
    });
    await db.waitReady;
  } catch (error) {
    release();
    throw error;
  }
  await db.exec(`SET search_path TO ${quoteIdent(schema)}, public`);
  const base = wrap(db as unknown as PgliteQueryable);
  let closed = false;

  return {
    kind: 'pglite',
    schema,
    query: base.query,
    exec: base.exec,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(wrap(tx as unknown as PgliteQueryable)));
    },
    async listen(channel, handler) {
      const unsubscribe = await db.listen(quoteIdent(physicalChannel(schema, channel)), handler);
      return async () => {
        if (!closed) await unsubscribe();
      };
    },
    async notify(channel, payload = '') {
      await db.query('SELECT pg_notify($1, $2)', [physicalChannel(schema, channel), payload]);
    },
    channelName: (channel) => physicalChannel(schema, channel),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
