import type { DueOutcome } from '../store/claim-due-waits.ts';
import { approvalTimeoutResult } from './approval-wait.ts';
import { eventTimeoutResult } from './event-wait.ts';
import { wokeResult } from './timer-wait.ts';

const finalStatuses: ReadonlySet<string> = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

/**
 * How a wait whose due time came ends: a timer wakes (`{woke_at}`); an approval times out with
 * its `on_timeout` (default `reject`: `{approved: false, timed_out: true}`; `fail`: no decision, the
 * node fails); an event times out as `continue` (`{name, timed_out: true}`) or `fail` (default).
 * The wait of a run that has ended meanwhile (cancelled) is closed as `cancelled`.
 */
export const dueOutcome: DueOutcome = (wait, now) => {
  if (finalStatuses.has(wait.run_status)) return { resolution: 'cancelled', result: null };
  if (wait.kind === 'time') return { resolution: 'woke', result: wokeResult(now) };
  if (wait.kind === 'approval')
    return { resolution: 'timeout', result: approvalTimeoutResult(wait.on_timeout ?? 'reject', now) };
  return {
    resolution: 'timeout',
    result: wait.on_timeout === 'continue' ? eventTimeoutResult(wait.event_name ?? '') : null,
  };
};
