import type { Config } from '../config.ts';
import type { Database } from './database.ts';
import { openPglite } from './pglite-driver.ts';
import { openPostgres } from './postgres-driver.ts';

/** PostgreSQL when `DATABASE_URL` is set, embedded PGlite in the data directory otherwise. */
export async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.url) {
    const db = openPostgres({ connectionString: config.url, schema: config.schema, poolSize: config.poolSize });
    try {
      await db.query('SELECT 1');
    } catch (error) {
      await db.close();
      throw new Error(`cannot connect to PostgreSQL at DATABASE_URL: ${(error as Error).message}`, { cause: error });
    }
    return db;
  }
  return openPglite({ dataDir: config.dataDir, schema: config.schema });
}
