import type { RunToExecute } from '../agents/execute-assistant.ts';
import type { RunContext, RunResult } from '../agents/runtime.ts';
import { RunFailure } from '../runs/run-failure.ts';
import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import { inContext, startRunSpan } from '../observability/run-span.ts';
import { isConnectionError } from '../store/connection-error.ts';
import type { Database } from '../store/database.ts';
import { appendRunEvent } from '../store/run-events.ts';
import { isRunParked, waitingForOf } from '../runs/wait.ts';
import { parkRun } from '../store/park-run.ts';
import { skipReasonOf } from '../store/skip-reasons.ts';
import type { ClaimedRun } from './claim-runs.ts';
import type { LeaseKey, RunEnding, RunFinish } from './run-lease.ts';
import { failedEnding, requeueRun, scheduleRetry, shouldRetry, toRunFailure } from './run-retry.ts';
import { toExecute } from './run-to-execute.ts';

/** Executes one run: the assistant runtime in production, anything in tests. */
export type RunExecutor = (run: RunToExecute, signal: AbortSignal, emit: RunContext['emit']) => Promise<RunResult>;

/** Why this worker stopped a run without recording an outcome (someone else owns it now). */
export class LeaseGone extends Error {
  constructor(readonly reason: 'released' | 'lost') {
    super(`lease ${reason}`);
  }
}

export interface PerformDeps {
  db: Database;
  clock: Clock;
  workerId: string;
  startDeadlineMs: number;
  execute: RunExecutor;
  metrics?: (Pick<Metrics, 'runs' | 'fireLag'> & Partial<Pick<Metrics, 'occurrences'>>) | undefined;
  /** Writes the outcome (batched); resolves to false when the lease was lost. */
  finish(finish: RunFinish): Promise<boolean>;
  /** A fenced write found the lease gone. */
  refused(key: LeaseKey, write: 'finish' | 'retry'): void;
  /** After a run of a schedule that recorded usage. */
  checkTokens(scheduleId: string): Promise<void>;
  /** After a run of a schedule that ended without its agent being called (alert_on_skips). */
  checkSkips?(scheduleId: string): Promise<void>;
  /**
   * The gates before the call (src/gates: the precheck): resolve to go on, throw a RunFailure
   * (`skip` records the run skipped) to end the run without calling its agent.
   */
  gate?: (run: ClaimedRun, signal: AbortSignal, emit: RunContext['emit']) => Promise<void>;
}

/**
 * One run in one slot: waits for its `not_before`, enforces its timeout, executes it, then
 * records success, a retry (with backoff) or a final failure. An abort by `controller` with
 * LeaseGone stops it without recording anything (another worker owns it now).
 */
export async function performRun(deps: PerformDeps, run: ClaimedRun, controller: AbortController): Promise<void> {
  const { db, clock, workerId, metrics } = deps;
  const key: LeaseKey = { id: run.id, attempt: run.attempt, workerId };
  let timer: NodeJS.Timeout | undefined;
  let ending: RunEnding;
  const span = startRunSpan(run);
  let outcome: { status: string; errorKind: string | null; error: string | null } = {
    status: 'lost',
    errorKind: null,
    error: null,
  };
  let work: Promise<RunResult> | undefined;
  const occurrence = run.trigger === 'schedule' && run.attempt === 1 && run.schedule_id !== null;
  try {
    // Claimed ahead of its time: hold the slot until `not_before`, then POST at once.
    const wait = run.not_before.getTime() - clock.now();
    if (wait > 0) await clock.sleep(wait, controller.signal);
    if (run.timeout_ms !== null) {
      const ms = run.timeout_ms;
      timer = setTimeout(
        () => controller.abort(new RunFailure('timeout', `timed out after ${ms} ms`, { retryable: true })),
        ms,
      );
    }
    if (metrics && run.trigger === 'schedule' && run.scheduled_for && run.attempt === 1) {
      metrics.fireLag.observe(Math.max(0, clock.now() - run.scheduled_for.getTime()));
    }
    const emit = (kind: string, data?: unknown) => appendRunEvent(db, run.id, kind, data);
    if (deps.gate) await Promise.race([deps.gate(run, controller.signal, emit), abortion(controller.signal)]);
    // The occurrence started: its agent is called now (kairos_occurrences_total, docs/gates.md).
    if (occurrence) metrics?.occurrences?.inc('started', run.schedule_id!);
    work = inContext(span.context, () => deps.execute(toExecute(run), controller.signal, emit));
    const result = await Promise.race([work, abortion(controller.signal)]);
    ending = {
      status: 'success',
      errorKind: null,
      error: null,
      output: result.output,
      usage: result.usage ?? null,
      threadId: result.threadId ?? null,
      finishedAt: clock.now(),
    };
    outcome = { status: 'success', errorKind: null, error: null };
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof LeaseGone) return;
    // The database went away under the run's own reads (a runtime's failures are RunFailures):
    // nothing can be written now, so the run is left to lease recovery, which resumes it without
    // using an attempt, rather than failed for an outage.
    if (!(reason instanceof RunFailure) && isConnectionError(reason)) {
      outcome = { status: 'lost', errorKind: null, error: 'the database is unreachable' };
      return;
    }
    if (isRunParked(reason)) {
      // The run waits (docs/waits.md): parked without a lease or a slot, not finished.
      outcome = { status: 'waiting', errorKind: null, error: null };
      const parked = await parkRun(db, key, reason.wait, waitingForOf(reason.wait), new Date(clock.now()));
      if (!parked) deps.refused(key, 'finish');
      return;
    }
    // A workflow records which of its steps were cancelled as it stops: give it a moment to.
    if (work && run.workflow_id && controller.signal.aborted) await settledWithin(work, 2000);
    const failure = toRunFailure(reason);
    if (failure.requeueAt !== undefined && !controller.signal.aborted) {
      // The provider asked to wait (docs/gates.md "Providers"): again after the pause, no attempt used.
      outcome = { status: 'requeued', errorKind: failure.kind, error: failure.message };
      const requeued = await requeueRun(db, key, failure, failure.requeueAt, deps.startDeadlineMs);
      if (!requeued) deps.refused(key, 'retry');
      return;
    }
    if (shouldRetry(run, failure)) {
      outcome = { status: 'retry', errorKind: failure.kind, error: failure.message };
      const retried = await scheduleRetry(db, key, run, failure, {
        now: clock.now(),
        startDeadlineMs: deps.startDeadlineMs,
      });
      if (!retried) deps.refused(key, 'retry');
      return;
    }
    ending = failedEnding(failure, clock.now());
    outcome = { status: ending.status, errorKind: ending.errorKind, error: ending.error };
  } finally {
    clearTimeout(timer);
    span.end(outcome.status, outcome.errorKind, outcome.error);
  }
  const written = await deps.finish({ key, ending });
  if (!written) deps.refused(key, 'finish');
  if (written) metrics?.runs.inc({ status: ending.status });
  if (written && ending.usage && run.schedule_id) await deps.checkTokens(run.schedule_id);
  const skipped =
    written && run.schedule_id
      ? skipReasonOf({ status: ending.status, error_kind: ending.errorKind, error: ending.error })
      : null;
  if (skipped && occurrence) metrics?.occurrences?.inc(skipped, run.schedule_id!);
  if (skipped) await deps.checkSkips?.(run.schedule_id!);
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Waits until `promise` settles or `ms` pass, whichever comes first; never rejects. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
