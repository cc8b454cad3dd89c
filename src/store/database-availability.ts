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
 * ends, however many statements fail in between (so logs say it once, not once per query), and
 * whatever order the statements begun on either side of a change end in.
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
  // Counts the changes: a statement only reports if none happened since it began. A query answered
  // just as the server went down, or a connection attempt that timed out after it came back, is
  // older news than the change already seen, and must not log the outage a second time.
  let changes = 0;
  const succeeded = (seen: number) => {
    if (downSince === undefined || seen !== changes) return;
    const down = now() - downSince;
    downSince = undefined;
    changes++;
    listener.reachable(down);
  };
  const failed = (seen: number, error: unknown) => {
    if (downSince !== undefined || seen !== changes) return;
    downSince = now();
    changes++;
    listener.unreachable(error);
  };
  async function observe<T>(work: () => Promise<T>): Promise<T> {
    const seen = changes;
    try {
      const result = await work();
      succeeded(seen);
      return result;
    } catch (error) {
      // Any other error came from a server that answered.
      if (isConnectionError(error)) failed(seen, error);
      else succeeded(seen);
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
