import { RunFailure } from '../runs/run-failure.ts';
import { isRunParked } from '../runs/wait.ts';
import { ParallelContent } from './step-input.ts';
import type { ParallelNode } from './workflow-definition.ts';
import type { NodeFrame, NodeOutcome, WorkflowRunner } from './workflow-runner.ts';

/**
 * A `parallel` node: every branch runs at once with the same input. The content keeps branch
 * order (by branch name, and as `=== name ===` text for assistants that take text). The node fails
 * when a branch fails (a branch with skip_on_failure does not); siblings run on unless `fail_fast`,
 * which aborts them (they are recorded `cancelled`).
 */
export async function runParallelNode(
  runner: WorkflowRunner,
  node: ParallelNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const controller = new AbortController();
  const signal = AbortSignal.any([frame.signal, controller.signal]);
  const settled = await Promise.allSettled(
    node.steps.map(async (branch, index) => {
      try {
        return await runner.runNode(branch, input, {
          scope: frame.scope,
          path: `${frame.path}.steps[${index}]`,
          key: `${frame.key}.steps[${index}]`,
          parentKey: frame.key,
          iteration: frame.iteration,
          ord: index,
          signal,
          skipped: frame.skipped,
          sinks: frame.sinks,
        });
      } catch (error) {
        // A branch that waits is not a failure: its siblings run on, then the run parks.
        if (node.fail_fast && !controller.signal.aborted && !isRunParked(error)) {
          controller.abort(
            new RunFailure(
              'cancelled',
              `cancelled: branch "${branch.name}" of parallel "${node.name}" failed (fail_fast)`,
              { retryable: false },
            ),
          );
        }
        throw error;
      }
    }),
  );
  if (frame.signal.aborted) throw frame.signal.reason;
  // The first branch that failed on its own (not one that fail_fast cancelled) names the failure.
  const failures = settled.flatMap((result, index) =>
    result.status === 'rejected' ? [{ index, reason: result.reason as unknown }] : [],
  );
  if (failures.length > 0) {
    // A failure wins over a waiting branch (the node fails); only waits: the run parks.
    const failed = failures.filter((f) => !isRunParked(f.reason));
    const own =
      failed.find((f) => !(f.reason instanceof RunFailure && f.reason === controller.signal.reason)) ??
      failed[0] ??
      failures[0]!;
    throw own.reason;
  }
  const branches = settled.map(
    (result, index) =>
      [node.steps[index]!.name, (result as PromiseFulfilledResult<NodeOutcome>).value.content] as const,
  );
  return { content: new ParallelContent(branches) };
}
