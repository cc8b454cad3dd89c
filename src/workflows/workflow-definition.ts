import { z } from 'zod';
import { retrySchema } from '../runs/run-policy.ts';

/** The node types of a workflow definition. */
export const nodeTypes = ['step', 'parallel', 'loop', 'router', 'condition'] as const;
export type NodeType = (typeof nodeTypes)[number];

/** `retry` of a step, as schedules take it: attempts and a backoff preset or shape. */
export const stepRetrySchema = retrySchema;
export type StepRetry = z.infer<typeof stepRetrySchema>;

const name = z.string().trim().min(1, 'may not be empty').max(200);

/** A step: one assistant, one registered module function, or a nested workflow (exactly one). */
export interface StepNode {
  type: 'step';
  name: string;
  assistant_id?: string;
  module?: string;
  workflow_id?: string;
  /** A template: `{{input}}`, `{{previous}}`, `{{steps.<name>}}` and the schedule variables. */
  input?: unknown;
  /** Seconds. */
  timeout?: number;
  retry?: StepRetry;
  /** Record the failure and go on (the next node receives what this one received). */
  skip_on_failure?: boolean;
}

export interface ParallelNode {
  type: 'parallel';
  name: string;
  steps: WorkflowNode[];
  /** A failing branch aborts its siblings. */
  fail_fast?: boolean;
}

export interface LoopNode {
  type: 'loop';
  name: string;
  steps: WorkflowNode[];
  /** CEL, evaluated after each iteration: true ends the loop. */
  end_condition?: string;
  max_iterations?: number;
  /** Each iteration after the first receives the previous iteration's last content. */
  forward_iteration_output?: boolean;
}

export interface RouterNode {
  type: 'router';
  name: string;
  /** CEL returning the name of one of `choices`. */
  selector: string;
  choices: WorkflowNode[];
}

export interface ConditionNode {
  type: 'condition';
  name: string;
  /** CEL returning a bool. */
  evaluator: string;
  steps: WorkflowNode[];
  else_steps?: WorkflowNode[];
}

export type WorkflowNode = StepNode | ParallelNode | LoopNode | RouterNode | ConditionNode;

/** A workflow definition: what is stored (as JSON) and what the builder produces. */
export interface WorkflowDefinition {
  name: string;
  description?: string;
  steps: WorkflowNode[];
  metadata?: Record<string, unknown>;
}

const celText = z.string().trim().min(1, 'may not be empty').max(4000);

/**
 * The node schema. Shape only: references, names, CEL and limits are checked by
 * validateWorkflow, which reports every problem with its path.
 */
export const nodeSchema: z.ZodType<WorkflowNode> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('step'),
      name,
      assistant_id: z.string().trim().min(1).max(200).optional(),
      module: z.string().trim().min(1).max(200).optional(),
      workflow_id: z.string().trim().min(1).max(200).optional(),
      input: z.json().optional(),
      timeout: z
        .number()
        .positive()
        .max(7 * 86_400)
        .optional(),
      retry: stepRetrySchema.optional(),
      skip_on_failure: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal('parallel'),
      name,
      steps: z.array(nodeSchema).min(1, 'needs at least one branch'),
      fail_fast: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal('loop'),
      name,
      steps: z.array(nodeSchema).min(1, 'needs at least one step'),
      end_condition: celText.optional(),
      max_iterations: z.number().int().optional(),
      forward_iteration_output: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal('router'),
      name,
      selector: celText,
      choices: z.array(nodeSchema).min(1, 'needs at least one choice'),
    }),
    z.strictObject({
      type: z.literal('condition'),
      name,
      evaluator: celText,
      steps: z.array(nodeSchema).min(1, 'needs at least one step'),
      else_steps: z.array(nodeSchema).optional(),
    }),
  ]),
) as z.ZodType<WorkflowNode>;

/** `{name, description?, steps, metadata?}`. */
export const definitionSchema = z.strictObject({
  name,
  description: z.string().max(4000).optional(),
  steps: z.array(nodeSchema).min(1, 'a workflow needs at least one step'),
  metadata: z.record(z.string(), z.json()).optional(),
});

/** The most iterations a loop may have. */
export const maxLoopIterations = 100;
/** The deepest nesting of nodes (a top-level node is depth 1). */
export const maxNestingDepth = 16;
/** The most nodes in one workflow. */
export const maxNodes = 500;

/** Child lists of a node, with the field that holds each. */
export function childLists(
  node: WorkflowNode,
): Array<{ field: 'steps' | 'choices' | 'else_steps'; nodes: WorkflowNode[] }> {
  switch (node.type) {
    case 'step':
      return [];
    case 'router':
      return [{ field: 'choices', nodes: node.choices }];
    case 'condition':
      return [
        { field: 'steps', nodes: node.steps },
        ...(node.else_steps ? [{ field: 'else_steps' as const, nodes: node.else_steps }] : []),
      ];
    default:
      return [{ field: 'steps', nodes: node.steps }];
  }
}

/** Every node with its path (`steps[2].steps[0]`), depth first, in definition order. */
export function* walkNodes(
  nodes: readonly WorkflowNode[],
  prefix = 'steps',
  depth = 1,
): Generator<{ node: WorkflowNode; path: string; depth: number }> {
  for (const [index, node] of nodes.entries()) {
    const path = `${prefix}[${index}]`;
    yield { node, path, depth };
    for (const list of childLists(node)) yield* walkNodes(list.nodes, `${path}.${list.field}`, depth + 1);
  }
}
