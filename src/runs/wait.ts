/**
 * Runs that wait (docs/waits.md): a run parks on an approval, an event or a timer and holds no
 * slot, lease or connection meanwhile. One wait is one `waits` row, keyed by the run and the node
 * (or agent turn) that waits, so that a resumed run finds the same wait again and never opens a
 * second one. The three kinds are approval-wait.ts, event-wait.ts and timer-wait.ts.
 */

import type { WaitingFor, WaitRow } from '../store/waits.ts';

export type { OnTimeout, WaitingFor, WaitKind, WaitRequest, WaitResolution, WaitRow } from '../store/waits.ts';
export { waitKinds } from '../store/waits.ts';

/** The `waiting_for` of a wait. */
export function waitingForOf(
  wait: Pick<WaitRow, 'kind' | 'node_name' | 'since' | 'until' | 'prompt' | 'event_name'>,
): WaitingFor {
  return {
    kind: wait.kind,
    node: wait.node_name,
    since: wait.since.toISOString(),
    ...(wait.until && { until: wait.until.toISOString() }),
    ...(wait.prompt !== null && { prompt: wait.prompt }),
    ...(wait.event_name !== null && { event: wait.event_name }),
  };
}

/**
 * Thrown by an executor (the workflow runner at a `wait` node) when the run must wait: the worker
 * parks the run (`waiting`, lease released) instead of recording an outcome. The wait row exists
 * already; a wait resolved meanwhile sends the run straight back to `pending`.
 */
export class RunParked extends Error {
  constructor(readonly wait: WaitRow) {
    super(`the run waits (${wait.kind} at "${wait.node_name}")`);
    this.name = 'RunParked';
  }
}

/** Whether `error` is a {@link RunParked} (also from another copy of this module). */
export function isRunParked(error: unknown): error is RunParked {
  return error instanceof RunParked || (error as { name?: unknown } | null)?.name === 'RunParked';
}
