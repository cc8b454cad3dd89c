import { raceAbort } from '../agents/assistant-timeout.ts';
import { resolveRetry, retryDelayMs } from '../runs/run-policy.ts';
import type { StepNode, StepRetry } from './workflow-definition.ts';
import type { NodeFrame, NodeOutcome, StepCall, WorkflowRunner } from './workflow-runner.ts';
import { asRunFailure, RunFailure } from '../runs/run-failure.ts';

/** The delay before attempt `attempt + 1`, with the schedules' backoff presets and shape. */
export function stepRetryDelayMs(retry: StepRetry | undefined, attempt: number): number {
  return retryDelayMs(resolveRetry(retry), attempt);
}

/** A step attempt's signal: the run's (cancel, run timeout, fail_fast) and the step's own `timeout`. */
function attemptSignal(
  node: StepNode,
  signal: AbortSignal,
): { signal: AbortSignal; reason: () => unknown; done: () => void } {
  if (node.timeout === undefined) return { signal, reason: () => signal.reason, done: () => {} };
  const seconds = node.timeout;
  // A timer of our own, not AbortSignal.timeout: held here, it cannot be collected before it fires.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), Math.max(1, Math.round(seconds * 1000)));
  return {
    signal: AbortSignal.any([signal, timeout.signal]),
    reason: () =>
      signal.aborted
        ? signal.reason
        : new RunFailure('timeout', `step "${node.name}" did not finish within its timeout of ${seconds} s`, {
            retryable: true,
            details: { timeout_s: seconds },
          }),
    done: () => clearTimeout(timer),
  };
}

/** What one attempt throws, as a RunFailure (an unknown error is a retryable `assistant_error`). */
function failureOf(error: unknown): RunFailure {
  const failure = asRunFailure(error);
  if (failure)
    return failure.skip
      ? new RunFailure(failure.kind, failure.message, { retryable: false, details: failure.details, cause: failure })
      : failure;
  return new RunFailure('assistant_error', error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * A `step` node (its `input` template already rendered by the runner): calls its
 * assistant, module or nested workflow, with the step's timeout and retries. Each attempt after
 * the first is recorded as it starts; every attempt carries the same idempotency key.
 */
export async function runStepNode(
  runner: WorkflowRunner,
  node: StepNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const { deps } = runner;
  if (node.workflow_id !== undefined) return runNestedWorkflow(runner, node.workflow_id, input, frame);

  const maxAttempts = node.retry?.max_attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await runner.started(node, frame, input, attempt);
    const { signal, reason, done } = attemptSignal(node, frame.signal);
    const call: StepCall = {
      input,
      idempotencyKey: `${deps.fence.runId}:${frame.key}`,
      signal,
      attempt,
      emit: deps.emit,
    };
    try {
      const work =
        node.assistant_id !== undefined
          ? deps.callAssistant(node.assistant_id, call)
          : deps.callModule(node.module!, call);
      // raceAbort gives up on `work` when the signal has fired already; its rejection is expected then.
      work.catch(() => {});
      const output = await raceAbort(work, signal, reason);
      return { content: output === undefined ? null : output };
    } catch (error) {
      if (frame.signal.aborted) throw frame.signal.reason;
      const failure = failureOf(signal.aborted ? reason() : error);
      if (!failure.retryable || attempt >= maxAttempts) throw failure;
      const delay = stepRetryDelayMs(node.retry, attempt);
      await runner.ended(node, frame, 'error', null, {
        kind: failure.kind,
        message: failure.message,
        attempt,
        retry_in_ms: delay,
      });
      if (delay > 0) await deps.clock.sleep(delay, frame.signal).catch(() => {});
      if (frame.signal.aborted) throw frame.signal.reason;
    } finally {
      done();
    }
  }
}

/** A nested workflow runs inside this run: its nodes are recorded under this step. */
async function runNestedWorkflow(
  runner: WorkflowRunner,
  workflowId: string,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  if (frame.scope.depth >= 16) {
    throw new RunFailure('workflow_error', 'nested workflows go deeper than 16 levels (a cycle?)', {
      retryable: false,
    });
  }
  const nested = await runner.deps.loadWorkflow(workflowId);
  const scope = { input, outputs: new Map<string, unknown>(), compiled: nested.compiled, depth: frame.scope.depth + 1 };
  const content = await runner.runSequence(nested.definition.steps, input, {
    scope,
    path: `${frame.path}.workflow.steps`,
    key: `${frame.key}.workflow.steps`,
    parentKey: frame.key,
    iteration: frame.iteration,
    signal: frame.signal,
    skipped: frame.skipped,
    // The nested workflow's names are its own: they do not leak into an enclosing loop's outputs.
    sinks: [],
  });
  return { content };
}
