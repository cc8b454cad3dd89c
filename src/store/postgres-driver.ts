import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database, NotificationHandler, Queryable, QueryResult } from './database.ts';
import { assertSchemaName, physicalChannel, quoteIdent } from './database.ts';

export interface PostgresOptions {
  connectionString: string;
  schema: string;
  poolSize?: number;
  /**
   * A direct connection (no transaction-mode pooler) for LISTEN; defaults to `connectionString`.
   * Behind PgBouncer in transaction mode, notifications only arrive on such a connection.
   */
  listenConnectionString?: string;
  /** How long to wait for a new connection before the statement fails (default 5 s). */
  connectTimeoutMs?: number;
  /**
   * `application_name` of every connection (pool and LISTEN), e.g. `kairos-<replica id>`, so that
   * `pg_stat_activity` shows which replica holds a connection. One in the URL wins.
   */
  applicationName?: string;
  /** Called when the LISTEN connection fails; it reconnects by itself. */
  onListenError?: (error: Error) => void;
  /**
   * The worker lease, ms: every session gets `idle_in_transaction_session_timeout` and
   * `statement_timeout` of this long, so that a replica frozen inside a transaction (SIGSTOP, a
   * stalled VM) loses its session, and with it its row and advisory locks, within a lease: the
   * runs it was claiming are claimable by the others by the time its leases would have expired.
   * Migrations lift `statement_timeout` for themselves. None when absent.
   */
  sessionTimeoutMs?: number;
}

/** A PostgreSQL database, with what only a server connection can tell. */
export interface PostgresDatabase extends Database {
  readonly kind: 'postgres';
  /**
   * Checks the connection, and whether the session settings reached the server: a
   * transaction-mode pooler (PgBouncer) refuses or drops them, and then every statement sets the
   * schema inside its own transaction instead (see docs/reliability.md).
   */
  verify(): Promise<void>;
  /** True once the pooler mode above is in use. */
  readonly behindPooler: boolean;
  /** Whether a notification sent through the pool reaches this replica's LISTEN connection. */
  probeNotifications(timeoutMs?: number): Promise<boolean>;
}

const INT8 = 20;

/** int8 as number: Kairos keeps counts and sequence numbers far below 2^53. */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format as 'text');
}

/** `/*prepare:<name>*\/ …`: a statement run often enough that its plan is worth keeping (see {@link prepared}). */
const preparedName = /^\/\*prepare:([a-z0-9_]+)\*\//;

function wrap(client: pg.Pool | pg.PoolClient, prepare: boolean): Queryable {
  return {
    async query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const name = prepare ? preparedName.exec(text)?.[1] : undefined;
      const values = params as unknown[] | undefined;
      const result = await (name === undefined ? client.query(text, values) : client.query({ name, text, values }));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string): Promise<void> {
      await client.query(text);
    },
  };
}

const refusedStartupOptions = /unsupported startup parameter/;

/**
 * A `pg` pool whose every statement runs with `search_path` set to the Kairos schema: as a
 * connection option, or, behind a transaction-mode pooler that does not pass it on, with
 * `SET LOCAL` in the statement's own transaction. Statements marked with {@link prepared} are
 * named (prepared once per connection, their plan kept) on direct connections; behind a pooler,
 * which could hand a connection's prepared statement to another client, every statement is unnamed.
 */
export function openPostgres(options: PostgresOptions): PostgresDatabase {
  const schema = assertSchemaName(options.schema);
  const searchPath = `${quoteIdent(schema)}, public`;
  const baseConfig: pg.ClientConfig = {
    connectionString: options.connectionString,
    types: { getTypeParser: typeParser } as pg.CustomTypesConfig,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.applicationName && { application_name: options.applicationName }),
  };
  // No space inside an option: the server splits `options` on spaces.
  const timeout =
    options.sessionTimeoutMs === undefined ? undefined : Math.max(1, Math.round(options.sessionTimeoutMs));
  const timeouts =
    timeout === undefined ? '' : ` -c idle_in_transaction_session_timeout=${timeout} -c statement_timeout=${timeout}`;
  const sessionConfig: pg.ClientConfig = {
    ...baseConfig,
    options: `-c search_path=${quoteIdent(schema)},public${timeouts}`,
  };
  // Behind a transaction-mode pooler the session options do not reach the server: set per transaction.
  const localTimeouts =
    timeout === undefined
      ? ''
      : `; SET LOCAL idle_in_transaction_session_timeout = ${timeout}; SET LOCAL statement_timeout = ${timeout}`;
  let pooler = false;
  const makePool = () => {
    const created = new pg.Pool({ ...(pooler ? baseConfig : sessionConfig), max: options.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    created.on('error', () => {});
    return created;
  };
  let pool = makePool();
  const listeners = new Map<string, Set<NotificationHandler>>();
  let listenClient: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  function usePooler(): void {
    if (pooler) return;
    pooler = true;
    const old = pool;
    pool = makePool();
    old.end().catch(() => {});
  }

  /** Runs `fn` on a checked-out client inside BEGIN … COMMIT (with the schema set when pooled). */
  async function inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A checked-out client has no pool error listener: a connection lost mid-transaction
    // (server restart) would otherwise be an uncaught exception. The failing query rejects.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      await client.query(pooler ? `BEGIN; SET LOCAL search_path TO ${searchPath}${localTimeouts}` : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  /** Retries once without session options when a pooler refused them at connect. */
  async function pooled<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (pooler || !refusedStartupOptions.test((error as Error).message)) throw error;
      usePooler();
      return fn();
    }
  }

  const listenConfig: pg.ClientConfig = {
    ...baseConfig,
    connectionString: options.listenConnectionString ?? options.connectionString,
  };

  async function connectListener(): Promise<pg.Client> {
    const client = new pg.Client(listenConfig);
    client.on('notification', (message) => {
      for (const handler of listeners.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      options.onListenError?.(error);
      if (listenClient === client) listenClient = undefined;
      client.end().catch(() => {});
      if (!closed && listeners.size > 0) scheduleReconnect(0);
    };
    client.on('error', onLost);
    // A server shutdown can end the connection without an error event.
    client.on('end', () => onLost(new Error('the LISTEN connection ended')));
    await client.connect();
    for (const channel of listeners.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    return client;
  }

  function scheduleReconnect(attempt: number): void {
    const delay = Math.min(100 * 2 ** attempt, 2_000);
    setTimeout(() => {
      if (closed || listenClient) return;
      listenerClient().then(
        () => {
          // Notifications sent while it was away are lost: wake every subscriber to look again.
          for (const handlers of listeners.values()) for (const handler of handlers) handler('');
        },
        () => scheduleReconnect(attempt + 1),
      );
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

  const db: PostgresDatabase = {
    kind: 'postgres',
    schema,
    get behindPooler() {
      return pooler;
    },
    query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      return pooled(() =>
        pooler
          ? inTransaction((client) => wrap(client, false).query<Row>(text, params))
          : wrap(pool, true).query<Row>(text, params),
      );
    },
    exec(text: string): Promise<void> {
      return pooled(() =>
        pooler ? inTransaction((client) => wrap(client, false).exec(text)) : wrap(pool, true).exec(text),
      );
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pooled(() => inTransaction((client) => fn(wrap(client, !pooler))));
    },
    async verify() {
      const { rows } = await db.query<{ path: string }>("SELECT current_setting('search_path') AS path");
      // Connected, but the option was dropped (a pooler told to ignore it): set it per statement.
      const first = rows[0]?.path.split(',')[0]?.trim().replace(/^"|"$/g, '');
      if (!pooler && first !== schema) usePooler();
    },
    async probeNotifications(timeoutMs = 2000) {
      const channel = `probe_${randomBytes(4).toString('hex')}`;
      let received: () => void = () => {};
      const arrived = new Promise<boolean>((resolve) => {
        received = () => resolve(true);
        setTimeout(() => resolve(false), timeoutMs).unref();
      });
      const unlisten = await db.listen(channel, () => received());
      try {
        await db.notify(channel, 'probe');
        return await arrived;
      } finally {
        await unlisten();
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
      await db.query('SELECT pg_notify($1, $2)', [physicalChannel(schema, channel), payload]);
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
  return db;
}
