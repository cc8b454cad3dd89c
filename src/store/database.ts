/**
 * The storage seam: the few operations Kairos needs from PostgreSQL, served by two drivers
 * (`pg` against a server, PGlite embedded in the process). Every query runs with
 * `search_path` set to the Kairos schema, so SQL names tables unqualified.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  /** One parameterised statement. Values are only ever passed as `$n` parameters. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export type NotificationHandler = (payload: string) => void;

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** The schema every table lives in (`kairos` unless configured, one per test file in tests). */
  readonly schema: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a logical channel (scoped to this schema, so tests on one database stay apart).
   * Resolves to an unsubscribe function.
   */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  /** Sends a notification on a logical channel; within a transaction use `notifyIn`. */
  notify(channel: string, payload?: string): Promise<void>;
  /** The physical channel name for a logical one, for `pg_notify` inside SQL or transactions. */
  channelName(channel: string): string;
  close(): Promise<void>;
}

/** Quotes an identifier for splicing into SQL (the schema name is the only thing ever spliced). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,47}$/;

/** Schema names are restricted so that they can double as channel-name prefixes. */
export function assertSchemaName(name: string): string {
  if (!schemaPattern.test(name)) {
    throw new Error(
      `database schema "${name}" is invalid: use lower-case letters, digits and _ (at most 48 characters, not starting with a digit)`,
    );
  }
  return name;
}

export function physicalChannel(schema: string, channel: string): string {
  return `${schema}__${channel}`;
}

/**
 * Marks a statement run on every step or run (the same text each time) as worth preparing: the
 * `pg` driver names it, so each connection parses and plans it once instead of on every call;
 * PGlite and pooled connections run it as an ordinary statement (the mark is a comment).
 */
export function prepared(name: string, text: string): string {
  return `/*prepare:${name}*/ ${text}`;
}
