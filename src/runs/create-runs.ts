import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../store/database.ts';
import type { FailureKind, RunStatus, Trigger } from '../store/run-kinds.ts';
import { notifyRuns } from '../store/notifications.ts';
import { insertRuns, type InsertedRun, type NewRun } from '../store/runs.ts';
import { workflowConcurrencies } from '../store/workflows.ts';
import { runConcurrency, type ConcurrencySpec, type RunConcurrency } from './flow-control.ts';
import type { RunPolicy } from './run-policy.ts';

/** One run to create: what it runs, for whom, when, with what input and policy. */
export interface RunDraft {
  /** Chosen by the caller when it must know the id before the insert; a new UUID otherwise. */
  id?: string;
  owner_id: string;
  /** What the run executes: an assistant or a workflow. Both are required so that neither is forgotten. */
  assistant_id: string | null;
  workflow_id: string | null;
  trigger: Trigger;
  schedule_id?: string | null;
  /** The inbound trigger of an `event` run. */
  trigger_id?: string | null;
  thread_id?: string | null;
  /** The occurrence's nominal time (schedule, manual and backfill runs). */
  scheduled_for?: Date | null;
  not_before: Date;
  /** A run not started by then fails with `capacity`; null: it waits as long as it takes. */
  start_deadline: Date | null;
  run_number?: number | null;
  input: unknown;
  metadata?: Record<string, unknown>;
  /** Timeout and retries, resolved by run-policy.ts. */
  policy: RunPolicy;
  /** Runs even if the overlap policy would hold it back (a manual run with `overlap: "override"`). */
  ignore_overlap?: boolean;
  /** Waits for a free slot of its schedule whatever the overlap policy (queued backfill runs). */
  waits_for_slot?: boolean;
  /** The run's own LangGraph `config` and `context`. */
  config?: Record<string, unknown> | null;
  context?: unknown;
  /** Created already final (an overlap skip decided at once); default pending. */
  status?: RunStatus;
  error_kind?: FailureKind | null;
  error?: string | null;
  /** A replay: the run it replays, and the workflow version it walks (pinned at creation). */
  replay_of?: string | null;
  workflow_version?: number | null;
  /** 1 (first) to 5 among runs waiting for slots; default 3. */
  priority?: number;
  /**
   * The run's concurrency key, rendered by the caller from its schedule's or trigger's
   * `concurrency`; null: none. Undefined: a workflow run takes its workflow's (rendered over the input).
   */
  concurrency?: RunConcurrency | null;
  created_at: Date;
}

function toNewRun(draft: RunDraft): NewRun {
  const { policy, concurrency, ...run } = draft;
  return {
    ...run,
    priority: draft.priority ?? 3,
    concurrency_scope: concurrency?.scope ?? null,
    concurrency_key: concurrency?.key ?? null,
    concurrency_limit: concurrency?.limit ?? null,
    concurrency_strategy: concurrency?.strategy ?? null,
    id: draft.id ?? randomUUID(),
    schedule_id: draft.schedule_id ?? null,
    thread_id: draft.thread_id ?? null,
    scheduled_for: draft.scheduled_for ?? null,
    run_number: draft.run_number ?? null,
    metadata: draft.metadata ?? {},
    ignore_overlap: draft.ignore_overlap ?? false,
    max_attempts: policy.max_attempts,
    timeout_ms: policy.timeout_ms,
    retry_backoff_ms: policy.retry_backoff_ms,
    retry_backoff_factor: policy.retry_backoff_factor,
    retry_backoff_max_ms: policy.retry_backoff_max_ms,
  };
}

/**
 * Creates runs: the one way every path (scheduler, manual trigger, backfill, api and workflow
 * runs, trigger deliveries, the LangGraph routes) adds rows to `runs`. One multi-row insert
 * however many there are (an occurrence that already has a run is left alone), then one NOTIFY
 * at the earliest `not_before` created, which wakes the workers. Pass the transaction the rows
 * belong to as `tx`. Returns the runs actually inserted, in no particular order.
 *
 * @example
 * await db.transaction((tx) => createRuns(db, [{ owner_id, assistant_id, workflow_id: null, trigger: 'api', …}], tx));
 */
export async function createRuns(
  db: Pick<Database, 'channelName'>,
  drafts: readonly RunDraft[],
  tx: Queryable,
): Promise<InsertedRun[]> {
  const inserted = await insertRuns(tx, (await withWorkflowKeys(drafts, tx)).map(toNewRun));
  let earliest: number | null = null;
  for (const run of inserted) {
    if (run.status === 'pending') earliest = Math.min(earliest ?? Infinity, run.not_before.getTime());
  }
  if (earliest !== null) await notifyRuns(tx, db, earliest);
  return inserted;
}

/**
 * Workflow runs whose caller gave no key (`concurrency` undefined) take their workflow's
 * `concurrency`, rendered over their input, namespaced `workflow:<id>`: one read, only when a
 * draft runs a workflow.
 */
async function withWorkflowKeys(drafts: readonly RunDraft[], tx: Queryable): Promise<readonly RunDraft[]> {
  const ids = [
    ...new Set(drafts.flatMap((d) => (d.concurrency === undefined && d.workflow_id ? [d.workflow_id] : []))),
  ];
  if (ids.length === 0) return drafts;
  const specs = new Map<string, ConcurrencySpec>();
  for (const row of await workflowConcurrencies(tx, ids)) specs.set(row.id, row.concurrency as ConcurrencySpec);
  if (specs.size === 0) return drafts;
  return drafts.map((d) =>
    d.concurrency === undefined && d.workflow_id && specs.has(d.workflow_id)
      ? { ...d, concurrency: runConcurrency(specs.get(d.workflow_id), `workflow:${d.workflow_id}`, { input: d.input }) }
      : d,
  );
}
