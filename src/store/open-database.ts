import type { Config } from '../config.ts';
import type { Database } from './database.ts';
import type { PostgresDatabase } from './postgres-driver.ts';

/**
 * PostgreSQL when `DATABASE_URL` is set, embedded PGlite in the data directory otherwise. Only
 * the driver used is loaded (a replica on PostgreSQL does without PGlite's modules, and back).
 * `applicationName` names the server connections (a replica passes `kairos-<replica id>`);
 * `sessionTimeoutMs` (a replica passes its lease) bounds how long a frozen session holds locks.
 */
export async function openDatabase(
  config: Config['database'],
  options: { applicationName?: string; sessionTimeoutMs?: number } = {},
): Promise<Database | PostgresDatabase> {
  if (config.url) {
    const { openPostgres } = await import('./postgres-driver.ts');
    const db = openPostgres({
      connectionString: config.url,
      schema: config.schema,
      poolSize: config.poolSize,
      applicationName: options.applicationName ?? 'kairos',
      ...(options.sessionTimeoutMs !== undefined && { sessionTimeoutMs: options.sessionTimeoutMs }),
      ...(config.listenUrl && { listenConnectionString: config.listenUrl }),
    });
    try {
      await db.verify();
    } catch (error) {
      await db.close();
      throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`, { cause: error });
    }
    return db;
  }
  const [{ openPglite }, { seedFromTemplate }] = await Promise.all([
    import('./pglite-driver.ts'),
    import('./pglite-template.ts'),
  ]);
  // A fresh data directory starts as a copy of an initialised, migrated one (pglite-template.ts).
  return openPglite({
    dataDir: config.dataDir,
    schema: config.schema,
    seed: (dataDir) => seedFromTemplate(dataDir, config.schema),
  });
}
