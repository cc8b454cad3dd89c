import { CelRuntimeError } from './workflow-cel.ts';
import { celValue } from './flow-context.ts';
import { contentText, contentValue } from './step-input.ts';
import type { LoopNode } from './workflow-definition.ts';
import { expressionFailure, type NodeFrame, type NodeOutcome, type WorkflowRunner } from './workflow-runner.ts';

/**
 * A `loop` node: its steps run in order in each iteration; after each iteration `end_condition`
 * (CEL) is evaluated and true ends the loop, as does `max_iterations` (default 3, at most 100).
 * Iteration 1 receives the loop's input; later ones receive it again, or the previous iteration's
 * last content with `forward_iteration_output`. The content is the last iteration's last content.
 * Children are keyed by iteration (`steps[2]@3.steps[0]`), so a resumed run re-enters the loop at
 * its iteration and the finished steps of earlier iterations are not executed again.
 */
export async function runLoopNode(
  runner: WorkflowRunner,
  node: LoopNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const max = node.max_iterations ?? 3;
  const compiled = node.end_condition === undefined ? undefined : frame.scope.compiled.get(frame.path);
  let content: unknown = input;
  for (let iteration = 1; iteration <= max; iteration++) {
    const skipped = { count: 0 };
    const collected = new Map<string, unknown>();
    const iterationInput = iteration > 1 && node.forward_iteration_output ? content : input;
    content = await runner.runSequence(node.steps, iterationInput, {
      scope: frame.scope,
      path: `${frame.path}.steps`,
      key: `${frame.key}@${iteration}.steps`,
      parentKey: frame.key,
      iteration,
      signal: frame.signal,
      skipped,
      sinks: [...frame.sinks, collected],
    });
    frame.skipped.count += skipped.count;
    if (!compiled) continue;
    const stepOutputs = Object.fromEntries(
      [...collected].map(([name, value]) => [name, celValue(contentValue(value))]),
    );
    let done: unknown;
    try {
      done = compiled.evaluate({
        current_iteration: BigInt(iteration),
        max_iterations: BigInt(max),
        all_success: skipped.count === 0,
        last_step_content: contentText(content),
        step_outputs: stepOutputs,
      });
    } catch (error) {
      if (error instanceof CelRuntimeError) throw expressionFailure(error.expression, error.message);
      throw error;
    }
    if (typeof done !== 'boolean')
      throw expressionFailure(
        compiled.expression,
        `returned ${typeof done === 'bigint' ? 'int' : typeof done}, not a bool`,
      );
    await runner.emit('loop_iteration', {
      key: frame.key,
      path: frame.path,
      name: node.name,
      iteration,
      end_condition: done,
    });
    if (done) break;
  }
  return { content };
}
