import type { Queryable } from './database.ts';
import type { WaitRow } from './waits.ts';

/** An approval wait with what the inbox shows of its run. */
export interface ApprovalRow extends WaitRow {
  owner_id: string;
  workflow_id: string | null;
  assistant_id: string | null;
  schedule_id: string | null;
}

/**
 * The approvals a user may decide (every one for an admin; otherwise those of runs they own and
 * those naming them or their role as approver), oldest first. `pending`: open, the run waiting
 * on it; `decided`: decided or timed out.
 */
export async function listApprovals(
  db: Queryable,
  filter: { userId: string; role: string; status: 'pending' | 'decided'; limit: number; offset: number },
): Promise<{ rows: ApprovalRow[]; total: number }> {
  const { rows } = await db.query<ApprovalRow & { total: number }>(
    `SELECT w.*, r.owner_id, r.workflow_id, r.assistant_id, r.schedule_id, count(*) OVER ()::int AS total
     FROM waits w JOIN runs r ON r.id = w.run_id
     WHERE w.kind = 'approval'
       AND ($2 = 'admin' OR r.owner_id = $1 OR $1::text = ANY(w.approvers) OR ('role:' || $2) = ANY(w.approvers))
       AND CASE WHEN $3 = 'pending' THEN w.resolved_at IS NULL AND r.status IN ('waiting', 'running', 'pending')
                ELSE w.resolution IN ('decided', 'timeout') END
     ORDER BY w.since, w.run_id, w.node_key
     LIMIT $4 OFFSET $5`,
    [filter.userId, filter.role, filter.status, filter.limit, filter.offset],
  );
  return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/** One approval wait with its run's context, as a signed link's page shows it. */
export interface ApprovalContextRow extends WaitRow {
  owner_id: string;
  run_status: string;
  workflow_id: string | null;
  workflow_name: string | null;
  schedule_id: string | null;
  schedule_name: string | null;
  assistant_id: string | null;
  assistant_name: string | null;
}

/** The approval wait `nodeKey` of run `runId` with its run's names; `lock` takes the wait's row lock. */
export async function findApprovalContext(
  db: Queryable,
  key: { runId: string; nodeKey: string },
  options: { lock?: boolean } = {},
): Promise<ApprovalContextRow | undefined> {
  const { rows } = await db.query<ApprovalContextRow>(
    `SELECT w.*, r.owner_id, r.status AS run_status, r.workflow_id, wf.name AS workflow_name,
            r.schedule_id, coalesce(s.name, r.schedule_name) AS schedule_name, r.assistant_id, a.name AS assistant_name
     FROM waits w JOIN runs r ON r.id = w.run_id
     LEFT JOIN workflows wf ON wf.id = r.workflow_id
     LEFT JOIN schedules s ON s.id = r.schedule_id
     LEFT JOIN assistants a ON a.id = r.assistant_id
     WHERE w.run_id = $1 AND w.node_key = $2 AND w.kind = 'approval'
     ${options.lock ? 'FOR UPDATE OF w' : ''}`,
    [key.runId, key.nodeKey],
  );
  return rows[0];
}
