import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';
import type { Database, Queryable } from './database.ts';
import { quoteIdent } from './database.ts';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Read from src/ by the compiled build too: the .sql files are not copied into dist/. */
export const defaultMigrationsDir = join(packageRoot, 'src', 'store', 'migrations');

const fileName = /^(\d+)_([\w-]+)\.sql$/;

/** Reads `NNN_name.sql` files in numeric order; a malformed or duplicate number is an error. */
export async function loadMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.sql')) continue;
    const match = fileName.exec(file);
    if (!match) throw new Error(`migration file "${file}" must be named NNN_name.sql`);
    migrations.push({ id: Number(match[1]), name: match[2]!, sql: await readFile(`${dir}/${file}`, 'utf8') });
  }
  migrations.sort((a, b) => a.id - b.id);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.id === migrations[i - 1]!.id)
      throw new Error(`two migrations share number ${migrations[i]!.id}`);
  }
  return migrations;
}

/**
 * This code is older than the database by more than one migration: a replica of a release before
 * the previous one. It refuses to start (one step is allowed: during a rolling upgrade the
 * previous release keeps running beside the new one, migrations being expand/contract).
 */
export class DatabaseNewerError extends Error {
  readonly code = 'database_newer';
}

const label = (m: { id: number; name: string }) => `${String(m.id).padStart(3, '0')}_${m.name}`;

async function ensureMigrationsTable(tx: Queryable, schema: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kairos:migrate:${schema}`]);
  await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await tx.exec(`CREATE TABLE IF NOT EXISTS migrations (
    id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
}

/**
 * The ids already applied, read in one transaction; throws {@link DatabaseNewerError} when the
 * database has more than one migration newer than `migrations`.
 */
async function appliedBefore(db: Database, migrations: readonly Migration[]): Promise<Set<number>> {
  const newest = migrations.at(-1);
  const { rows } = await db.transaction(async (tx) => {
    await ensureMigrationsTable(tx, db.schema);
    return tx.query<{ id: number; name: string }>('SELECT id, name FROM migrations ORDER BY id');
  });
  const newer = rows.filter((row) => row.id > (newest?.id ?? 0));
  if (newer.length <= 1) return new Set(rows.map((row) => row.id));
  throw new DatabaseNewerError(
    `the database is at migration ${label(newer.at(-1)!)}, ${newer.length} migrations newer than this code ` +
      `(${newest ? label(newest) : 'none'}); a replica may run at most one migration behind (a rolling upgrade). ` +
      'Upgrade this replica to the release that migrated the database, or newer',
  );
}

async function appliedIds(tx: Queryable): Promise<Set<number>> {
  const { rows } = await tx.query<{ id: number }>('SELECT id FROM migrations');
  return new Set(rows.map((row) => row.id));
}

/**
 * Applies pending migrations in order, each in its own transaction under a transaction-scoped
 * advisory lock keyed by the schema, so any number of concurrent migrators apply each exactly once.
 * Refuses (DatabaseNewerError, naming both versions) when the database is more than one migration
 * ahead of this code. Returns the names applied by this call. A migration found applied by the
 * first read is not looked at again (an applied migration stays applied): an up-to-date database
 * costs one transaction, not one per migration.
 */
export async function migrate(db: Database, options: { migrationsDir?: string } = {}): Promise<string[]> {
  const migrations = await loadMigrations(options.migrationsDir);
  const already = await appliedBefore(db, migrations);
  const applied: string[] = [];
  for (const migration of migrations) {
    if (already.has(migration.id)) continue;
    const didApply = await db.transaction(async (tx) => {
      // A migration may take longer than the session's statement_timeout (the lease): not bounded.
      await tx.exec('SET LOCAL statement_timeout = 0');
      await ensureMigrationsTable(tx, db.schema);
      if ((await appliedIds(tx)).has(migration.id)) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
      return true;
    });
    if (didApply) applied.push(label(migration));
  }
  return applied;
}
