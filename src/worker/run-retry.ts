import { RunFailure } from '../runs/run-failure.ts';
import type { Database } from '../store/database.ts';
import { requeueLeasedRun } from '../store/requeue-run.ts';
import type { ClaimedRun } from './claim-runs.ts';
import { retryDelayMs } from '../runs/run-policy.ts';
import { retryRun, type LeaseKey, type RunEnding } from './run-lease.ts';

/** Attempts used by failures: recoveries (a crash resumed) do not use up attempts. */
function attemptsUsed(run: Pick<ClaimedRun, 'attempt' | 'recoveries'>): number {
  return run.attempt - (run.recoveries ?? 0);
}

/** Whether a failed attempt is tried again: a retryable failure with attempts left. */
export function shouldRetry(
  run: Pick<ClaimedRun, 'attempt' | 'recoveries' | 'max_attempts'>,
  failure: RunFailure,
): boolean {
  return failure.retryable && !failure.skip && attemptsUsed(run) < run.max_attempts;
}

/**
 * Puts the run back to `pending` for its next attempt after the backoff (see runs/run-policy.ts),
 * with a fresh start deadline. Resolves to false when the lease was lost (nothing written).
 */
export async function scheduleRetry(
  db: Database,
  key: LeaseKey,
  run: ClaimedRun,
  failure: RunFailure,
  options: { now: number; startDeadlineMs: number },
): Promise<boolean> {
  const delayMs = retryDelayMs(run, attemptsUsed(run));
  const notBefore = options.now + delayMs;
  return retryRun(db, key, {
    errorKind: failure.kind,
    error: failure.message,
    notBefore,
    startDeadline: notBefore + options.startDeadlineMs,
    delayMs,
  });
}

/**
 * Puts the run back to `pending` at `at` without using an attempt (its provider asked to wait),
 * held for `provider_limit` until it starts again. False when the lease was lost.
 */
export function requeueRun(
  db: Database,
  key: LeaseKey,
  failure: RunFailure,
  at: number,
  startDeadlineMs: number,
): Promise<boolean> {
  return requeueLeasedRun(db, key, {
    notBefore: new Date(at),
    startDeadline: new Date(at + startDeadlineMs),
    heldReason: 'provider_limit',
    event: 'provider_paused',
    data: { attempt: key.attempt, error: failure.message, retry_at: new Date(at).toISOString() },
  });
}

/** The final outcome of a failed attempt that is not retried. */
export function failedEnding(failure: RunFailure, finishedAt: number): RunEnding {
  return {
    status: failure.skip
      ? 'skipped'
      : failure.kind === 'timeout'
        ? 'timeout'
        : failure.kind === 'cancelled'
          ? 'cancelled'
          : 'error',
    errorKind: failure.kind,
    error: failure.message,
    output: null,
    usage: failure.usage ?? null,
    threadId: null,
    finishedAt,
  };
}

/** Any error as a RunFailure (`assistant_error` for what is not one already). */
export function toRunFailure(reason: unknown): RunFailure {
  return reason instanceof RunFailure
    ? reason
    : new RunFailure('assistant_error', reason instanceof Error ? reason.message : String(reason), { cause: reason });
}

/** The failure of a run cancelled on request. */
export function cancelled(): RunFailure {
  return new RunFailure('cancelled', 'cancelled on request', { retryable: false });
}
