/**
 * The pure parts of a run as LangGraph shows it (API routes and the LangGraph webhook body):
 * its status, its metadata and its values.
 */

export type LangGraphRunStatus = 'pending' | 'running' | 'success' | 'error' | 'timeout' | 'interrupted';

/** Keys Kairos writes into a run's metadata for its own bookkeeping: not LangGraph's to see. */
const internalKeys: ReadonlySet<string> = new Set(['triggered_by', 'overlap', 'backfill', 'misfire']);

/**
 * Kairos's run statuses as LangGraph's: cancelled was interrupted; skipped never ran (error); a
 * waiting run is paused for a person or an event, as an interrupt pauses a thread.
 */
const statuses: Record<string, LangGraphRunStatus> = {
  pending: 'pending',
  waiting: 'interrupted',
  running: 'running',
  success: 'success',
  error: 'error',
  timeout: 'timeout',
  cancelled: 'interrupted',
  skipped: 'error',
};

export function langGraphStatus(status: string): LangGraphRunStatus {
  return statuses[status] ?? 'pending';
}

/**
 * A run's metadata as LangGraph shows it: without Kairos's internal keys. A run a cron fired
 * already holds the cron's metadata (merged at creation: scheduleRunDraft).
 */
export function langGraphMetadata(own: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(own).filter(([key]) => !internalKeys.has(key)));
}

/** A finished run's values: its output (an object as is, anything else as `{output}`), or `__error__`. */
export function langGraphValues(run: {
  status: string;
  output: unknown;
  error_kind: string | null;
  error: string | null;
}): Record<string, unknown> {
  if (run.status === 'success') {
    const output = run.output;
    return typeof output === 'object' && output !== null && !Array.isArray(output)
      ? (output as Record<string, unknown>)
      : { output };
  }
  return {
    __error__: { error: run.error_kind ?? run.status, message: run.error ?? `the run ended ${run.status}` },
  };
}
