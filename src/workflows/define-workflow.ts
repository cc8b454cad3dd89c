import type { AssistantDefinition, ModuleRunContext } from '../agents/define-assistant.ts';
import { defineAssistant } from '../agents/define-assistant.ts';
import type {
  ConditionNode,
  LoopNode,
  ParallelNode,
  RouterNode,
  StepNode,
  WaitNode,
  WorkflowDefinition,
  WorkflowNode,
} from './workflow-definition.ts';

/** A function step: receives the whole step input, returns the step's output. */
export type StepFunction = (input: unknown, ctx: ModuleRunContext) => unknown;

/** A node as the builder holds it: the JSON node plus the functions it declares. */
export interface BuiltNode<N extends WorkflowNode = WorkflowNode> {
  readonly node: N;
  /** Function steps inside the node, registered as modules at start. */
  readonly functions: ReadonlyArray<{ name: string; run: StepFunction; module?: string }>;
}

/** What `defineWorkflow` returns: the JSON definition and the module functions its steps call. */
export interface DeclaredWorkflow {
  readonly definition: WorkflowDefinition;
  /** The function steps as module assistants (`workflow.<workflow>.<step>` unless given an id). */
  readonly modules: ReadonlyArray<AssistantDefinition>;
}

const brand = Symbol.for('kairos.workflow-definition');

type StepOptions = Omit<StepNode, 'type' | 'name'>;
type Child = BuiltNode | WorkflowNode;

const isBuilt = (value: Child): value is BuiltNode => 'node' in value && 'functions' in value;
const unwrap = (child: Child): BuiltNode => (isBuilt(child) ? child : { node: child, functions: [] });

function children(list: readonly Child[]): { nodes: WorkflowNode[]; functions: BuiltNode['functions'] } {
  const built = list.map(unwrap);
  return { nodes: built.map((b) => b.node), functions: built.flatMap((b) => b.functions) };
}

/**
 * A `step` node: an assistant (`{ assistant_id }`), a registered module (`{ module }`), a nested
 * workflow (`{ workflow_id }`) or a function declared here.
 *
 * @example
 * step('fetch', { assistant_id: '…', timeout: 30, retry: { max_attempts: 3 } })
 * step('outline', (input) => ({ outline: String(input).split('\n') }))
 */
export function step(
  name: string,
  target: StepOptions | StepFunction,
  options: Omit<StepOptions, 'assistant_id' | 'module' | 'workflow_id'> = {},
): BuiltNode<StepNode> {
  if (typeof target === 'function') {
    return { node: { type: 'step', name, ...options }, functions: [{ name, run: target }] };
  }
  return { node: { type: 'step', name, ...target, ...options }, functions: [] };
}

/** A `parallel` node: branches run at once with the same input. */
export function parallel(
  name: string,
  branches: readonly Child[],
  options: { fail_fast?: boolean } = {},
): BuiltNode<ParallelNode> {
  const { nodes, functions } = children(branches);
  return { node: { type: 'parallel', name, steps: nodes, ...options }, functions };
}

/** A `loop` node: its steps repeat until `end_condition` (CEL) is true or `max_iterations`. */
export function loop(
  name: string,
  steps: readonly Child[],
  options: { end_condition?: string; max_iterations?: number; forward_iteration_output?: boolean } = {},
): BuiltNode<LoopNode> {
  const built = children(steps);
  return { node: { type: 'loop', name, steps: built.nodes, ...options }, functions: built.functions };
}

/** A `router` node: `selector` (CEL) names the choice that runs. */
export function router(name: string, selector: string, choices: readonly Child[]): BuiltNode<RouterNode> {
  const built = children(choices);
  return { node: { type: 'router', name, selector, choices: built.nodes }, functions: built.functions };
}

/**
 * A `wait` node (docs/waits.md): exactly one of `approval`, `event`, `sleep` and `until`.
 *
 * @example
 * wait('approve', { approval: { prompt: 'Publish {{steps.draft}}?', timeout: '24h' } })
 * wait('paid', { event: { name: 'payment.received', match: 'event.key == input.order', lookback: '10m' } })
 * wait('nap', { sleep: '90m' })
 */
export function wait(name: string, kind: Omit<WaitNode, 'type' | 'name'>): BuiltNode<WaitNode> {
  return { node: { type: 'wait', name, ...kind }, functions: [] };
}

/** A `condition` node: `evaluator` (CEL, a bool) chooses `steps` or `else_steps`. */
export function condition(
  name: string,
  evaluator: string,
  steps: readonly Child[],
  elseSteps?: readonly Child[],
): BuiltNode<ConditionNode> {
  const then = children(steps);
  const otherwise = elseSteps ? children(elseSteps) : undefined;
  return {
    node: { type: 'condition', name, evaluator, steps: then.nodes, ...(otherwise && { else_steps: otherwise.nodes }) },
    functions: [...then.functions, ...(otherwise?.functions ?? [])],
  };
}

/** A module id from a workflow's and a step's names: letters, digits, `.`, `_`, `-`. */
function moduleId(workflow: string, stepName: string): string {
  const slug = (text: string) =>
    text
      .trim()
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x';
  return `workflow.${slug(workflow)}.${slug(stepName)}`.slice(0, 100);
}

/** Gives each function step its module id in the JSON (the tree is copied, never shared). */
function assignModules(node: WorkflowNode, ids: ReadonlyMap<string, string>): WorkflowNode {
  if (node.type === 'step')
    return ids.has(node.name) &&
      node.module === undefined &&
      node.assistant_id === undefined &&
      node.workflow_id === undefined
      ? { ...node, module: ids.get(node.name)! }
      : { ...node };
  if (node.type === 'router') return { ...node, choices: node.choices.map((c) => assignModules(c, ids)) };
  if (node.type === 'condition') {
    return {
      ...node,
      steps: node.steps.map((c) => assignModules(c, ids)),
      ...(node.else_steps && { else_steps: node.else_steps.map((c) => assignModules(c, ids)) }),
    };
  }
  if (node.type === 'wait') return { ...node };
  return { ...node, steps: node.steps.map((c) => assignModules(c, ids)) };
}

/**
 * Declares a workflow in the config file. The result's `definition` is the same JSON the API
 * takes (and shows); function steps become module assistants registered with the config file's
 * other modules. Declared workflows are registered at start, owned by the local admin.
 *
 * @example
 * // kairos.config.ts
 * import { defineWorkflow, step, loop } from 'kairos';
 * export default {
 *   workflows: [
 *     defineWorkflow({
 *       name: 'digest',
 *       steps: [
 *         step('fetch', { assistant_id: '…' }),
 *         step('summarise', (input) => `Summary: ${JSON.stringify(input)}`),
 *       ],
 *     }),
 *   ],
 * };
 */
export function defineWorkflow(declaration: {
  name: string;
  description?: string;
  steps: readonly Child[];
  metadata?: Record<string, unknown>;
}): DeclaredWorkflow {
  const built = children(declaration.steps);
  const ids = new Map(built.functions.map((f) => [f.name, f.module ?? moduleId(declaration.name, f.name)]));
  const definition: WorkflowDefinition = {
    name: declaration.name,
    ...(declaration.description !== undefined && { description: declaration.description }),
    steps: built.nodes.map((node) => assignModules(node, ids)),
    ...(declaration.metadata !== undefined && { metadata: declaration.metadata }),
  };
  const modules = built.functions.map((f) =>
    defineAssistant({ id: ids.get(f.name)!, name: `${declaration.name} / ${f.name}`, run: f.run }),
  );
  return Object.freeze({ definition, modules, [brand]: true });
}

/** Whether a value came from defineWorkflow (across module copies: the brand is a global symbol). */
export function isDeclaredWorkflow(value: unknown): value is DeclaredWorkflow {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
