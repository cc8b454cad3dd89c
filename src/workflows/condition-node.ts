import { CelRuntimeError } from './workflow-cel.ts';
import type { ConditionNode } from './workflow-definition.ts';
import { expressionFailure, type NodeFrame, type NodeOutcome, type WorkflowRunner } from './workflow-runner.ts';
import { flowContext } from './flow-context.ts';

/**
 * A `condition` node: `evaluator` (CEL, must give a bool) chooses `steps` or `else_steps`; with no
 * `else_steps` a false condition passes its input on unchanged. A failed evaluation or a non-bool
 * result fails the node with `workflow_error` — never a silent false.
 */
export async function runConditionNode(
  runner: WorkflowRunner,
  node: ConditionNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const compiled = frame.scope.compiled.get(frame.path);
  if (!compiled) throw expressionFailure(node.evaluator, 'was not compiled');
  let value: unknown;
  try {
    value = compiled.evaluate(flowContext(runner.deps, frame.scope, input));
  } catch (error) {
    if (error instanceof CelRuntimeError) throw expressionFailure(error.expression, error.message);
    throw error;
  }
  if (typeof value !== 'boolean')
    throw expressionFailure(node.evaluator, `returned ${typeof value === 'bigint' ? 'int' : typeof value}, not a bool`);
  const branch = value
    ? { field: 'steps', nodes: node.steps }
    : node.else_steps
      ? { field: 'else_steps', nodes: node.else_steps }
      : undefined;
  await runner.emit('condition_evaluated', {
    key: frame.key,
    path: frame.path,
    name: node.name,
    expression: node.evaluator,
    result: value,
    branch: branch?.field ?? null,
  });
  if (!branch) return { content: input };
  const content = await runner.runSequence(branch.nodes, input, {
    scope: frame.scope,
    path: `${frame.path}.${branch.field}`,
    key: `${frame.key}.${branch.field}`,
    parentKey: frame.key,
    iteration: frame.iteration,
    signal: frame.signal,
    skipped: frame.skipped,
    sinks: frame.sinks,
  });
  return { content };
}
