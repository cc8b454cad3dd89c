import type { Queryable } from './database.ts';

/**
 * Remote conversation ids (an AgentOS session, a LangGraph thread, an A2A context) kept on a
 * Kairos thread, one per assistant, and the one each run used.
 */

/** The remote id kept on `threadId` for `assistantId`, or null. */
export async function findRemoteSession(db: Queryable, threadId: string, assistantId: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string | null }>(
    'SELECT remote_sessions ->> $2 AS id FROM threads WHERE id = $1',
    [threadId, assistantId],
  );
  return rows[0]?.id ?? null;
}

/**
 * Keeps `remoteId` on the thread unless another run kept one first (two runs of one thread that
 * both started a remote conversation); returns the id that is kept.
 */
export async function keepRemoteSession(
  db: Queryable,
  threadId: string,
  assistantId: string,
  remoteId: string,
): Promise<string> {
  const { rows } = await db.query<{ id: string | null }>(
    `UPDATE threads
        SET remote_sessions = CASE WHEN remote_sessions ? $2 THEN remote_sessions
                                   ELSE remote_sessions || jsonb_build_object($2::text, $3::text) END,
            updated_at = now()
      WHERE id = $1
  RETURNING remote_sessions ->> $2 AS id`,
    [threadId, assistantId, remoteId],
  );
  return rows[0]?.id ?? remoteId;
}

/** Shows on the run which remote conversation it used. */
export async function setRunRemoteSession(db: Queryable, runId: string, remoteId: string): Promise<void> {
  await db.query('UPDATE runs SET remote_session_id = $2 WHERE id = $1', [runId, remoteId]);
}
