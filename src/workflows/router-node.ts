import { CelRuntimeError } from './workflow-cel.ts';
import type { RouterNode } from './workflow-definition.ts';
import { flowContext } from './flow-context.ts';
import { expressionFailure, type NodeFrame, type NodeOutcome, type WorkflowRunner } from './workflow-runner.ts';

/**
 * A `router` node: `selector` (CEL) names one of `choices`, which runs with the router's input.
 * A failed evaluation, a non-string result or a name that is not a choice fails the node with
 * `workflow_error`.
 */
export async function runRouterNode(
  runner: WorkflowRunner,
  node: RouterNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const compiled = frame.scope.compiled.get(frame.path);
  if (!compiled) throw expressionFailure(node.selector, 'was not compiled');
  let value: unknown;
  try {
    value = compiled.evaluate(flowContext(runner.deps, frame.scope, input));
  } catch (error) {
    if (error instanceof CelRuntimeError) throw expressionFailure(error.expression, error.message);
    throw error;
  }
  const names = node.choices.map((choice) => choice.name);
  if (typeof value !== 'string')
    throw expressionFailure(
      node.selector,
      `returned ${typeof value === 'bigint' ? 'int' : typeof value}, not a choice name (${names.join(', ')})`,
    );
  const index = names.indexOf(value);
  if (index < 0)
    throw expressionFailure(node.selector, `returned "${value}", which is not a choice (choices: ${names.join(', ')})`);
  await runner.emit('router_selected', {
    key: frame.key,
    path: frame.path,
    name: node.name,
    expression: node.selector,
    choice: value,
  });
  return runner.runNode(node.choices[index]!, input, {
    scope: frame.scope,
    path: `${frame.path}.choices[${index}]`,
    key: `${frame.key}.choices[${index}]`,
    parentKey: frame.key,
    iteration: frame.iteration,
    ord: index,
    signal: frame.signal,
    skipped: frame.skipped,
    sinks: frame.sinks,
  });
}
