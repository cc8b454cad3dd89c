import type { RunStatus } from '../store/run-kinds.ts';

export { runStatuses, triggers, failureKinds } from '../store/run-kinds.ts';
export type { RunStatus, Trigger, FailureKind } from '../store/run-kinds.ts';

/** The statuses a run ends in; a final run never moves again. */
export const finalStatuses: ReadonlySet<RunStatus> = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

/**
 * Where a run may go from each status. A pending run starts, or ends without starting (cancelled,
 * skipped by its overlap policy, `error` when it missed its start deadline). A running run ends,
 * or goes back to `pending` for a retry or after its lease expired.
 */
export const runTransitions: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  pending: ['running', 'error', 'cancelled', 'skipped'],
  running: ['pending', 'waiting', 'success', 'error', 'timeout', 'cancelled', 'skipped'],
  // A waiting run wakes to pending (its wait ended) or is cancelled; it holds no worker meanwhile.
  waiting: ['pending', 'cancelled'],
  success: [],
  error: [],
  timeout: [],
  cancelled: [],
  skipped: [],
};

/** Whether a run in status `from` may move to `to`. */
export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return runTransitions[from].includes(to);
}
