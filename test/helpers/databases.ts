import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/store/database.ts';
import { quoteIdent } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite-driver.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { sqlReaderRole } from '../../src/store/sql-reader-role.ts';

/** The PostgreSQL server tests use; each test file works in a schema of its own. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const databaseKinds = ['postgres', 'pglite'] as const;
export type TestDatabaseKind = (typeof databaseKinds)[number];

export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export interface TestDatabase {
  db: Database;
  /** Opens another connection pool on the same schema (a second replica). Postgres only. */
  connectAgain(): Database;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database: a new schema on the test server, or an in-memory PGlite.
 * `close()` drops the schema unless KAIROS_KEEP_TEST_SCHEMAS is set (to inspect a failure).
 */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  options: { migrated?: boolean; schema?: string } = {},
): Promise<TestDatabase> {
  const schema = options.schema ?? uniqueSchema();
  const extra: Database[] = [];
  const db =
    kind === 'postgres'
      ? openPostgres({ connectionString: testDatabaseUrl, schema, poolSize: 10 })
      : await openPglite({ schema });
  if (options.migrated !== false) await migrate(db);
  return {
    db,
    connectAgain() {
      if (kind !== 'postgres') throw new Error('PGlite is single-process: it cannot be opened twice');
      const again = openPostgres({ connectionString: testDatabaseUrl, schema, poolSize: 10 });
      extra.push(again);
      return again;
    },
    async close() {
      for (const other of extra) await other.close();
      if (kind === 'postgres' && !process.env.KAIROS_KEEP_TEST_SCHEMAS) {
        await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch(() => {});
        // Roles are cluster-wide: the SQL console's reader role of this schema goes with it.
        await db.exec(`DROP ROLE IF EXISTS ${quoteIdent(sqlReaderRole(schema))}`).catch(() => {});
      }
      await db.close();
    },
  };
}
