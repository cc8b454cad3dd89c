import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { assertSchemaName, physicalChannel, quoteIdent } from './database.ts';

export interface PgliteOptions {
  /** Directory for the data files; omitted means in memory (tests). */
  dataDir?: string;
  schema: string;
  /**
   * Fills a data directory PGlite has not initialised yet (no PG_VERSION), under the data
   * directory's lock: the template copy (pglite-template.ts). Reports what it did.
   */
  seed?: (dataDir: string) => Promise<string>;
  /** Receives the time each step of the opening took (the start-up breakdown). */
  timings?: (step: string, ms: number) => void;
}

/**
 * PostgreSQL's memory settings for the embedded database, sized for a laptop (docs/configuration.md,
 * "Embedded database memory"). PostgreSQL's own defaults (128 MB of shared buffers, 64 MB for
 * maintenance) live inside the WebAssembly heap and are touched as they fill, which made an idle
 * server 370 MB; Kairos's working set (due schedules, runs in flight) is a few MB.
 */
export const pgliteSettings: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  work_mem: '4MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '4MB',
  wal_buffers: '1MB',
};

/** PGlite's own start parameters (single user, no parallel workers…): ours are added after them. */
const pgliteDefaultStartParams = [
  '--single',
  '-F',
  '-O',
  '-j',
  '-c',
  'search_path=public',
  '-c',
  'exit_on_error=false',
  '-c',
  'log_checkpoints=false',
  '-c',
  'max_worker_processes=0',
  '-c',
  'max_parallel_workers=0',
  '-c',
  'max_parallel_workers_per_gather=0',
  '-c',
  'io_method=sync',
  '-c',
  'max_parallel_maintenance_workers=0',
];

function startParams(): string[] {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  const settings = Object.entries(pgliteSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return [...(Array.isArray(defaults) ? defaults : pgliteDefaultStartParams), ...settings];
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
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      options.timings?.(step, performance.now() - started);
    }
  };
  try {
    if (options.dataDir && options.seed) {
      const { dataDir, seed } = options;
      await timed('seed data directory', () => seed(dataDir));
    }
    // One options object: `new PGlite(undefined, options)` (in memory) would ignore the options.
    db = new PGlite({
      ...(options.dataDir && { dataDir: options.dataDir }),
      // int8 as number, as in the pg driver.
      parsers: { [pgliteTypes.INT8]: (value: string) => Number(value) },
      startParams: startParams(),
    });
    await timed('start PGlite (WebAssembly, Postgres)', () => db.waitReady);
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
