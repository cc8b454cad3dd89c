import pg from 'pg';
import type { Database, NotificationHandler, Queryable, QueryResult } from './database.ts';
import { assertSchemaName, physicalChannel, quoteIdent } from './database.ts';

export interface PostgresOptions {
  connectionString: string;
  schema: string;
  poolSize?: number;
  /** Called when the LISTEN connection fails; it reconnects by itself. */
  onListenError?: (error: Error) => void;
}

const INT8 = 20;

/** int8 as number: Kairos keeps counts and sequence numbers far below 2^53. */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format as 'text');
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(text, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string): Promise<void> {
      await client.query(text);
    },
  };
}

/** A `pg` pool whose every connection has `search_path` set to the Kairos schema. */
export function openPostgres(options: PostgresOptions): Database {
  const schema = assertSchemaName(options.schema);
  const clientConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    options: `-c search_path=${quoteIdent(schema)},public`,
    types: { getTypeParser: typeParser } as pg.CustomTypesConfig,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const base = wrap(pool);
  const listeners = new Map<string, Set<NotificationHandler>>();
  let listenClient: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  async function connectListener(): Promise<pg.Client> {
    const client = new pg.Client(clientConfig);
    client.on('notification', (message) => {
      for (const handler of listeners.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', (error) => {
      options.onListenError?.(error);
      if (listenClient === client) listenClient = undefined;
      client.end().catch(() => {});
      if (!closed && listeners.size > 0) scheduleReconnect(0);
    });
    await client.connect();
    for (const channel of listeners.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    return client;
  }

  function scheduleReconnect(attempt: number): void {
    const delay = Math.min(100 * 2 ** attempt, 5_000);
    setTimeout(() => {
      if (closed || listenClient) return;
      listenerClient().catch(() => scheduleReconnect(attempt + 1));
    }, delay).unref();
  }

  async function listenerClient(): Promise<pg.Client> {
    if (listenClient) return listenClient;
    connecting ??= connectListener().then(
      (client) => {
        listenClient = client;
        connecting = undefined;
        return client;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  }

  return {
    kind: 'postgres',
    schema,
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client has no pool error listener: a connection lost mid-transaction
      // (server restart) would otherwise be an uncaught exception. The failing query rejects.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', ignore);
        client.release();
      }
    },
    async listen(channel, handler) {
      const name = physicalChannel(schema, channel);
      let handlers = listeners.get(name);
      const first = !handlers;
      if (!handlers) {
        handlers = new Set();
        listeners.set(name, handlers);
      }
      handlers.add(handler);
      const client = await listenerClient();
      if (first) await client.query(`LISTEN ${quoteIdent(name)}`);
      return async () => {
        const set = listeners.get(name);
        if (!set) return;
        set.delete(handler);
        if (set.size === 0) {
          listeners.delete(name);
          await listenClient?.query(`UNLISTEN ${quoteIdent(name)}`).catch(() => {});
        }
      };
    },
    async notify(channel, payload = '') {
      await pool.query('SELECT pg_notify($1, $2)', [physicalChannel(schema, channel), payload]);
    },
    channelName: (channel) => physicalChannel(schema, channel),
    async close() {
      if (closed) return;
      closed = true;
      const client = listenClient ?? (await connecting?.catch(() => undefined));
      listenClient = undefined;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
}
