import type { Queryable } from './database.ts';
import type { WaitRow } from './waits.ts';

/** The prefix of the key of an agent's waits: `agent:1`, `agent:2`, … in the order the agent asked. */
export const agentWaitPrefix = 'agent:';

/** The latest wait an agent run opened (the one it resumes from), or undefined when it opened none. */
export async function latestAgentWait(db: Queryable, runId: string): Promise<WaitRow | undefined> {
  const { rows } = await db.query<WaitRow>(
    `SELECT * FROM waits WHERE run_id = $1 AND node_key LIKE 'agent:%'
     ORDER BY substr(node_key, 7)::int DESC LIMIT 1`,
    [runId],
  );
  return rows[0];
}
