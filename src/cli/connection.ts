import type { Command } from 'commander';
import { localAdmin, type Actor } from '../auth/actor.ts';
import { loadConfig } from '../config.ts';
import { Kairos } from '../sdk/client.ts';
import type { Database } from '../store/database.ts';

/** The options every client command accepts (also read from KAIROS_URL and KAIROS_API_KEY). */
export interface ConnectionOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
  db?: boolean;
}

export function connectionOptions(command: Command): ConnectionOptions {
  return command.optsWithGlobals<ConnectionOptions>();
}

/** An SDK client for the server at `--url`/KAIROS_URL with `--api-key`/KAIROS_API_KEY. */
export function sdkClient(options: ConnectionOptions): Kairos {
  return new Kairos({
    baseUrl: options.url ?? process.env.KAIROS_URL ?? 'http://127.0.0.1:7700',
    ...((options.apiKey ?? process.env.KAIROS_API_KEY) && { apiKey: options.apiKey ?? process.env.KAIROS_API_KEY }),
  });
}

/**
 * Admin commands (keys, users) talk to a server when one is named (`--url` or KAIROS_URL) and
 * otherwise work straight on the database (DATABASE_URL or the embedded data dir): how the first
 * admin key is made before the first start. `--db` forces the database.
 */
export function usesServer(options: ConnectionOptions): boolean {
  return !options.db && Boolean(options.url ?? process.env.KAIROS_URL);
}

/**
 * Opens the configured database (migrated), runs `fn` as the local admin (whoever holds the
 * database is its administrator), and closes it.
 */
export async function withDatabase<T>(fn: (db: Database, actor: Actor) => Promise<T>): Promise<T> {
  // Loaded on use: commands that talk to a server never load the database drivers.
  const [{ openDatabase }, { migrate }] = await Promise.all([
    import('../store/open-database.ts'),
    import('../store/migrate.ts'),
  ]);
  const db = await openDatabase(loadConfig().database);
  try {
    await migrate(db);
    return await fn(db, localAdmin);
  } finally {
    await db.close();
  }
}
