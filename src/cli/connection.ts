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

/**
 * The server every client command talks to, resolved one way for all: `--url`, else KAIROS_URL,
 * else the PORT and HOST a local `kairos serve` reads (default http://127.0.0.1:7700; a bind-all
 * HOST such as 0.0.0.0 is reached on loopback).
 */
export function serverUrl(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  const named = options.url ?? env.KAIROS_URL;
  if (named) return named.replace(/\/+$/, '');
  const port = env.PORT?.trim() || '7700';
  const host = env.HOST?.trim().replace(/^\[|\]$/g, '') || '127.0.0.1';
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** An SDK client for the server of {@link serverUrl} with `--api-key`/KAIROS_API_KEY. */
export function sdkClient(options: ConnectionOptions): Kairos {
  return new Kairos({
    baseUrl: serverUrl(options),
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
