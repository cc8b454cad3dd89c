import { prepared, type Queryable } from './database.ts';
import type { StepFence } from './run-steps.ts';

/** What executing a workflow run needs, read in one statement as it starts. */
export interface WorkflowRunStart<Definition = unknown> {
  workflow_id: string;
  workflow_version: number;
  name: string;
  status: 'active' | 'inactive';
  owner_id: string;
  /** The definition of the version the run walks; null if that version is gone. */
  definition: Definition | null;
  /** Nodes finished by earlier attempts (success or skipped): key, status, output. */
  done: Array<{ key: string; status: 'success' | 'skipped'; output: unknown; reused: boolean }>;
  /** The rows (as JSON) of the assistants the definition's steps name, so that no step waits on a read. */
  assistants: Array<Record<string, unknown>>;
}

/**
 * Starts (or resumes) a workflow run, fenced by the attempt: pins the run to the workflow's
 * current version the first time (`runs.workflow_version`; retries and recoveries keep it), and
 * returns that version's definition with the nodes earlier attempts finished and the assistants
 * its steps name. One round trip.
 * Undefined when the run's workflow no longer exists or the lease is gone.
 */
export async function beginWorkflowRun<Definition = unknown>(
  db: Queryable,
  fence: StepFence,
): Promise<WorkflowRunStart<Definition> | undefined> {
  const { rows } = await db.query<WorkflowRunStart<Definition>>(
    prepared(
      'begin_workflow_run',
      `WITH r AS (
       UPDATE runs SET workflow_version = coalesce(runs.workflow_version, w.version)
       FROM workflows w
       WHERE runs.id = $1 AND runs.lease_owner = $2 AND runs.attempt = $3 AND runs.status = 'running' AND w.id = runs.workflow_id
       RETURNING runs.workflow_id, runs.workflow_version, w.name, w.status, w.owner_id
     )
     SELECT r.*, v.definition,
       (SELECT coalesce(json_agg(json_build_object('key', s.key, 'status', s.status, 'output', s.output, 'reused', s.reused)), '[]'::json)
        FROM run_steps s WHERE s.run_id = $1 AND s.status IN ('success', 'skipped')) AS done,
       (SELECT coalesce(json_agg(a.*), '[]'::json) FROM assistants a WHERE a.id IN (
          SELECT (x #>> '{}')::uuid FROM jsonb_path_query(v.definition, 'strict $.**.assistant_id') AS x
          WHERE jsonb_typeof(x) = 'string' AND (x #>> '{}') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')) AS assistants
     FROM r LEFT JOIN workflow_versions v ON v.workflow_id = r.workflow_id AND v.version = r.workflow_version`,
    ),
    [fence.runId, fence.workerId, fence.attempt],
  );
  return rows[0];
}
