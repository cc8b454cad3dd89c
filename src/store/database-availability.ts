import type { Database, Queryable } from './database.ts';
import { isConnectionError } from './connection-error.ts';

/** Told once when the database becomes unreachable and once when it answers again. */
export interface AvailabilityListener {
  unreachable(error: unknown): void;
  reachable(downForMs: number): void;
}

/** A database that knows whether its last statement reached the server. */
export interface WatchedDatabase extends Database {
  /** False from a connection failure until the next statement that reaches the server. */
  readonly available: boolean;
}

/**
 * Wraps a database so that every statement reports whether the server was reachable, and tells
 * the listener only on a change: one "unreachable" when an outage begins, one "reachable" when it
 * ends, however many statements fail in between (so logs say it once, not once per query).
 *
 * @example
 * const db = watchAvailability(await openDatabase(config.database), {
 *   unreachable: (err) => logger.error({ err }, 'database unreachable'),
 *   reachable: (ms) => logger.info({ down_ms: ms }, 'database reachable again'),
 * });
 */
export function watchAvailability(
  db: Database,
  listener: AvailabilityListener,
  now: () => number = Date.now,
): WatchedDatabase {
  let downSince: number | undefined;
  const succeeded = () => {
    if (downSince === undefined) return;
    const down = now() - downSince;
    downSince = undefined;
    listener.reachable(down);
  };
  const failed = (error: unknown) => {
    if (downSince !== undefined) return;
    downSince = now();
    listener.unreachable(error);
  };
  async function observe<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      succeeded();
      return result;
    } catch (error) {
      // Any other error came from a server that answered.
      if (isConnectionError(error)) failed(error);
      else succeeded();
      throw error;
    }
  }
  return {
    kind: db.kind,
    schema: db.schema,
    get available() {
      return downSince === undefined;
    },
    query: (text, params) => observe(() => db.query(text, params)),
    exec: (text) => observe(() => db.exec(text)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => observe(() => db.transaction(fn)),
    listen: (channel, handler) => observe(() => db.listen(channel, handler)),
    notify: (channel, payload) => observe(() => db.notify(channel, payload)),
    channelName: (channel) => db.channelName(channel),
    close: () => db.close(),
  };
}
