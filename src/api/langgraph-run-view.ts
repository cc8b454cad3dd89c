import { langGraphMetadata, langGraphStatus, langGraphValues } from '../runs/langgraph-run.ts';
import type { RunResource } from '../runs/run-resource.ts';

/** LangGraph's run status filter as Kairos's. */
export const kairosStatus = {
  pending: 'pending',
  running: 'running',
  success: 'success',
  error: 'error',
  timeout: 'timeout',
  interrupted: 'cancelled',
} as const;

function kwargs(run: RunResource): Record<string, unknown> {
  const out: Record<string, unknown> = { input: run.input };
  if (run.config) out.config = run.config;
  if (run.context !== null && run.context !== undefined) out.context = run.context;
  return out;
}

/** A run as LangGraph's Run; `metadata` (its cron's with its own over it, since creation) without internal keys. */
export function toLangGraphRun(run: RunResource) {
  return {
    run_id: run.id,
    thread_id: run.thread_id,
    assistant_id: run.assistant_id,
    created_at: run.created_at,
    updated_at: run.finished_at ?? run.started_at ?? run.created_at,
    status: langGraphStatus(run.status),
    metadata: langGraphMetadata(run.metadata),
    multitask_strategy: null,
    kwargs: kwargs(run),
  };
}

export type LangGraphRunView = ReturnType<typeof toLangGraphRun>;

/** What LangGraph answers for a finished run (wait, join): its output as values, or `__error__`. */
export const runValues = (run: RunResource) => langGraphValues(run);
