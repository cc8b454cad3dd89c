/**
 * BullMQ's two backends in bench:peers. PostgreSQL: the backend bullmq 6 ships
 * (createPostgresBackend, a schema per run, LISTEN for new jobs). Redis: needs the optional
 * `ioredis` package (a devDependency on main); where it is missing, that variant is a dash with a note.
 */
import { createRequire } from 'node:module';
import { createPostgresBackend } from 'bullmq';

export type BullBackend = 'postgres' | 'redis';

const require = createRequire(import.meta.url);

/** null when ioredis can be loaded, else why not. */
export function redisUnavailable(): string | null {
  try {
    require.resolve('ioredis');
    return null;
  } catch {
    return "the optional `ioredis` package (BullMQ's Redis client) is not installed here";
  }
}

/** The `connection` option and backend factory for a Queue or Worker. */
export async function bullConnection(
  backend: BullBackend,
  databaseUrl: string,
  namespace: string,
): Promise<{ connection: never; factory: never; prefix?: string; close(): Promise<void> }> {
  if (backend === 'postgres') {
    return {
      connection: { connectionString: databaseUrl, schema: namespace, migrate: true } as never,
      factory: createPostgresBackend as never,
      close: async () => undefined,
    };
  }
  const IORedis =
    (require('ioredis') as { default?: new (options: object) => { quit(): Promise<unknown> } }).default ??
    (require('ioredis') as new (options: object) => { quit(): Promise<unknown> });
  const client = new IORedis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
  return {
    connection: client as never,
    factory: undefined as never,
    prefix: namespace,
    close: async () => {
      await client.quit();
    },
  };
}
