import { RunFailure } from '../runs/run-failure.ts';

export interface AssistantSignal {
  /** Aborts on the run's signal or after the assistant's own `timeout_s`, whichever comes first. */
  signal: AbortSignal;
  /**
   * What to throw once `signal` has aborted: a retryable `timeout` RunFailure when the
   * assistant's own timeout fired, otherwise the run's reason (the worker's timeout, a cancel).
   */
  reason(): unknown;
}

/** Combines the run's signal with a per-assistant `timeout_s` (none when undefined). */
export function assistantSignal(runSignal: AbortSignal, timeoutS: number | undefined): AssistantSignal {
  if (timeoutS === undefined) return { signal: runSignal, reason: () => runSignal.reason };
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(timeoutS * 1000)));
  return {
    signal: AbortSignal.any([runSignal, timeout]),
    reason: () =>
      runSignal.aborted
        ? runSignal.reason
        : new RunFailure('timeout', `the assistant did not answer within ${timeoutS}s (config.timeout_s)`, {
            retryable: true,
            details: { timeout_s: timeoutS },
          }),
  };
}

/** Settles with `work`, or rejects as soon as `signal` aborts (for code that ignores the signal). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => unknown): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? reason() : error);
      },
    );
  });
}
