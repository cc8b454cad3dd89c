import type { RunToExecute } from '../../src/agents/execute-assistant.ts';
import type { Database } from '../../src/store/database.ts';
import { findRun } from '../../src/store/runs.ts';
import { toRunResource } from '../../src/runs/run-resource.ts';

/** Writes the row of a run made with `makeRun`, so that what execution records on it can be read back. */
export async function insertRunRow(db: Database, run: RunToExecute): Promise<void> {
  await db.query(
    `INSERT INTO runs (id, owner_id, assistant_id, schedule_id, thread_id, trigger, not_before, status)
     VALUES ($1, $2, $3, $4, $5, $6, now(), 'running')`,
    [run.id, run.ownerId, run.assistantId, run.scheduleId, run.threadId, run.trigger],
  );
}

/** The run as the API shows it (`remote_session_id` included). */
export async function runResource(db: Database, id: string) {
  const row = await findRun(db, id);
  if (!row) throw new Error(`run ${id} not found`);
  return toRunResource(row);
}

/** The remote ids a thread keeps, by assistant. */
export async function remoteSessionsOf(db: Database, threadId: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ remote_sessions: Record<string, string> }>(
    'SELECT remote_sessions FROM threads WHERE id = $1',
    [threadId],
  );
  return rows[0]?.remote_sessions ?? {};
}
