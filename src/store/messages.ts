import type { Database, Queryable } from './database.ts';

/** Who said a message of a thread. */
export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/** One message of a thread; `seq` orders a thread's messages from 1. */
export interface Message {
  threadId: string;
  seq: number;
  role: MessageRole;
  content: unknown;
  runId: string | null;
  createdAt: Date;
}

interface MessageRow {
  thread_id: string;
  seq: number;
  role: MessageRole;
  content: unknown;
  run_id: string | null;
  created_at: Date;
}

function toMessage(row: MessageRow): Message {
  return {
    threadId: row.thread_id,
    seq: row.seq,
    role: row.role,
    content: row.content,
    runId: row.run_id,
    createdAt: row.created_at,
  };
}

export interface NewMessage {
  role: MessageRole;
  content: unknown;
  runId?: string | null;
}

/**
 * Appends messages at the end of a thread, in order, in one transaction. The thread row is locked
 * so concurrent appends (runs side by side on one thread) never collide on `seq`; the thread's
 * `updated_at` moves. Returns undefined when the thread does not exist.
 *
 * With `onceForRun`, nothing is appended if the thread already holds messages of that run
 * (a run that is executed again after a crash records its exchange once).
 */
export async function appendMessages(
  db: Database,
  threadId: string,
  messages: ReadonlyArray<NewMessage>,
  options: { onceForRun?: string } = {},
): Promise<Message[] | undefined> {
  return db.transaction(async (tx) => {
    const locked = await tx.query('SELECT id FROM threads WHERE id = $1 FOR UPDATE', [threadId]);
    if (locked.rowCount === 0) return undefined;
    if (options.onceForRun) {
      const existing = await tx.query<MessageRow>(
        'SELECT * FROM messages WHERE thread_id = $1 AND run_id = $2 ORDER BY seq',
        [threadId, options.onceForRun],
      );
      if (existing.rows.length > 0) return existing.rows.map(toMessage);
    }
    const last = await tx.query<{ seq: number }>(
      'SELECT COALESCE(max(seq), 0) AS seq FROM messages WHERE thread_id = $1',
      [threadId],
    );
    let seq = last.rows[0]?.seq ?? 0;
    const appended: Message[] = [];
    for (const message of messages) {
      seq += 1;
      const { rows } = await tx.query<MessageRow>(
        `INSERT INTO messages (thread_id, seq, role, content, run_id) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING *`,
        [threadId, seq, message.role, JSON.stringify(message.content ?? null), message.runId ?? null],
      );
      appended.push(toMessage(rows[0]!));
    }
    await tx.query('UPDATE threads SET updated_at = now() WHERE id = $1', [threadId]);
    return appended;
  });
}

/** The last `limit` messages of a thread, oldest first (the bounded history sent to assistants). */
export async function recentMessages(db: Queryable, threadId: string, limit: number): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT * FROM (SELECT * FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT $2) recent ORDER BY seq`,
    [threadId, limit],
  );
  return rows.map(toMessage);
}

/** A page of a thread's messages in order, from `afterSeq` (exclusive). */
export async function listMessages(
  db: Queryable,
  threadId: string,
  options: { afterSeq?: number; limit: number },
): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    'SELECT * FROM messages WHERE thread_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
    [threadId, options.afterSeq ?? 0, options.limit],
  );
  return rows.map(toMessage);
}

export async function countMessages(db: Queryable, threadId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM messages WHERE thread_id = $1',
    [threadId],
  );
  return rows[0]?.count ?? 0;
}
