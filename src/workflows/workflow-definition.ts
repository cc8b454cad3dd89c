import { z } from 'zod';
import { concurrencySchema, type ConcurrencySpec } from '../runs/flow-control.ts';
import { retrySchema } from '../runs/run-policy.ts';

/** The node types of a workflow definition. */
export const nodeTypes = ['step', 'parallel', 'loop', 'router', 'condition', 'wait'] as const;
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

/** A duration: seconds, or text such as `"90s"`, `"2h"`, `"7d"` (or ISO-8601 `"PT2H"`). */
export type Duration = number | string;

/**
 * A `wait` node (docs/waits.md): the run parks until a person decides, an event arrives or a time
 * comes — exactly one of `approval`, `event`, `sleep` and `until`. Its content is the decision
 * `{approved, comment, by, data, decided_at, timed_out}`, the event `{name, key, payload,
 * received_at}` or `{woke_at}`.
 */
export interface WaitNode {
  type: 'wait';
  name: string;
  approval?: {
    /** A template like a step's `input` (`{{input}}`, `{{previous}}`, `{{steps.<name>}}`). */
    prompt: string;
    /** User ids, `role:admin` or `role:member`; the run's owner and admins may always decide. */
    approvers?: string[];
    /** Default 7 days. */
    timeout?: Duration;
    /** Default `reject`. */
    on_timeout?: 'reject' | 'approve' | 'fail';
  };
  event?: {
    name: string;
    /** CEL over `event` (`name`, `key`, `payload`) and `input` (the workflow's); must give a bool. */
    match?: string;
    timeout?: Duration;
    /** Default `fail`. */
    on_timeout?: 'fail' | 'continue';
    /** An event sent up to this long before the wait began still matches. */
    lookback?: Duration;
  };
  sleep?: Duration;
  /** An ISO time with its offset, or a template giving one. */
  until?: string;
}

export type WorkflowNode = StepNode | ParallelNode | LoopNode | RouterNode | ConditionNode | WaitNode;

/** A workflow definition: what is stored (as JSON) and what the builder produces. */
export interface WorkflowDefinition {
  name: string;
  description?: string;
  steps: WorkflowNode[];
  metadata?: Record<string, unknown>;
  /** An http(s) URL POSTed when a run of this workflow starts waiting (docs/waits.md). */
  on_waiting?: string;
  /** At most `limit` runs of this workflow per key (a template over the run input) at once (docs/gates.md). */
  concurrency?: ConcurrencySpec;
}

const celText = z.string().trim().min(1, 'may not be empty').max(4000);
/** A duration as written; its text is checked by validateWorkflow. */
const duration = z.union([z.number().nonnegative(), z.string().trim().min(1).max(100)]);

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
      type: z.literal('wait'),
      name,
      approval: z
        .strictObject({
          prompt: z.string().min(1, 'may not be empty').max(10_000),
          approvers: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
          timeout: duration.optional(),
          on_timeout: z.enum(['reject', 'approve', 'fail']).optional(),
        })
        .optional(),
      event: z
        .strictObject({
          name: z.string().trim().min(1, 'may not be empty').max(200),
          match: celText.optional(),
          timeout: duration.optional(),
          on_timeout: z.enum(['fail', 'continue']).optional(),
          lookback: duration.optional(),
        })
        .optional(),
      sleep: duration.optional(),
      until: z.string().trim().min(1, 'may not be empty').max(2000).optional(),
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

/** `{name, description?, steps, metadata?, on_waiting?, concurrency?}`. */
export const definitionSchema = z.strictObject({
  name,
  description: z.string().max(4000).optional(),
  steps: z.array(nodeSchema).min(1, 'a workflow needs at least one step'),
  metadata: z.record(z.string(), z.json()).optional(),
  on_waiting: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .max(2000)
    .optional(),
  concurrency: concurrencySchema('input').optional(),
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
    case 'wait':
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
