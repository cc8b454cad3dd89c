import type { z } from 'zod';
import { KairosError } from '../errors.ts';
import { unknownStepTemplateVariables } from './step-input.ts';
import { CelCompileError, celVariables, compileCel, type CompiledCel } from './workflow-cel.ts';
import {
  definitionSchema,
  maxLoopIterations,
  maxNestingDepth,
  maxNodes,
  walkNodes,
  type WorkflowDefinition,
  type WaitNode,
  type WorkflowNode,
} from './workflow-definition.ts';
import { approverRoles } from '../runs/approval-wait.ts';
import { compileEventMatch, EventMatchError, maxLookbackMs } from '../runs/event-wait.ts';
import { parseUntil } from '../runs/timer-wait.ts';
import { parseDuration } from '../time/durations.ts';

/** One problem of a definition, at its path (`steps[2].steps[0].assistant_id`). */
export interface WorkflowProblem {
  path: string;
  message: string;
}

/** What a reference points at, as validation needs it. */
export interface ReferenceLookup {
  /** Resolves an assistant the workflow's owner may run; a string is why not (unknown, inactive, unavailable). */
  assistant(id: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Whether a module function is registered in this server's config file. */
  hasModule(id: string): boolean;
  /** A workflow the owner may use: its status and latest definition; undefined when unknown. */
  workflow(
    id: string,
  ): Promise<{ id: string; name: string; status: 'active' | 'inactive'; definition: WorkflowDefinition } | undefined>;
  /** Whether a user exists (a wait node's approvers); absent: not checked. */
  user?(id: string): Promise<boolean>;
}

/** Expressions of one definition, compiled, by the path of their node. */
export type CompiledExpressions = ReadonlyMap<string, CompiledCel>;

/** `['steps', 2, 'name']` → `steps[2].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(body)' : text;
}

function shapeProblems(error: z.ZodError): WorkflowProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return {
        path: formatPath([...issue.path, issue.keys[0] ?? '']),
        message: `unknown field "${issue.keys[0]}"; see docs/workflows.md for the fields of each node`,
      };
    }
    if (issue.code === 'invalid_union' && issue.path.at(-1) !== 'backoff') {
      const at = issue.path.at(-1) === 'type' ? issue.path : [...issue.path, 'type'];
      return { path: formatPath(at), message: 'must be one of step, parallel, loop, router, condition, wait' };
    }
    return { path: formatPath(issue.path), message: issue.message };
  });
}

/**
 * Compiles every CEL expression of a definition (loop end conditions, router selectors, condition
 * evaluators) once. Problems (syntax, unknown variables, wrong result type) come back with paths.
 */
export function compileExpressions(definition: WorkflowDefinition): {
  compiled: Map<string, CompiledCel>;
  problems: WorkflowProblem[];
} {
  const compiled = new Map<string, CompiledCel>();
  const problems: WorkflowProblem[] = [];
  const compile = (path: string, field: string, expression: string, site: 'loop' | 'router' | 'condition') => {
    try {
      compiled.set(path, compileCel(expression, site));
    } catch (error) {
      if (!(error instanceof CelCompileError)) throw error;
      problems.push({
        path: `${path}.${field}`,
        message: `${error.message} (may name ${celVariables(site).join(', ')})`,
      });
    }
  };
  for (const { node, path } of walkNodes(definition.steps)) {
    if (node.type === 'loop' && node.end_condition !== undefined)
      compile(path, 'end_condition', node.end_condition, 'loop');
    if (node.type === 'router') compile(path, 'selector', node.selector, 'router');
    if (node.type === 'condition') compile(path, 'evaluator', node.evaluator, 'condition');
  }
  return { compiled, problems };
}

/** Structure: step targets, names, limits, router choices. No I/O. */
function structureProblems(
  definition: WorkflowDefinition,
  compiled: ReadonlyMap<string, CompiledCel>,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const names = new Map<string, string>();
  let count = 0;
  let tooDeep = false;
  for (const { node, path, depth } of walkNodes(definition.steps)) {
    count++;
    if (depth > maxNestingDepth && !tooDeep) {
      tooDeep = true;
      problems.push({ path, message: `nesting is deeper than ${maxNestingDepth} levels` });
    }
    const seen = names.get(node.name);
    if (seen !== undefined)
      problems.push({
        path: `${path}.name`,
        message: `duplicate name "${node.name}" (also at ${seen}): names must be unique within the workflow`,
      });
    else names.set(node.name, path);
    if (node.type === 'step') {
      const targets = (['assistant_id', 'module', 'workflow_id'] as const).filter((key) => node[key] !== undefined);
      if (targets.length !== 1) {
        problems.push({
          path,
          message:
            targets.length === 0
              ? 'give one of assistant_id, module or workflow_id'
              : `give only one of assistant_id, module or workflow_id (got ${targets.join(', ')})`,
        });
      }
    }
    if (node.type === 'loop') {
      const max = node.max_iterations ?? 3;
      if (max < 1 || max > maxLoopIterations)
        problems.push({ path: `${path}.max_iterations`, message: `${max} is outside 1-${maxLoopIterations}` });
    }
    if (node.type === 'router') problems.push(...routerProblems(node, path, compiled.get(path)));
    if (node.type === 'wait') problems.push(...waitProblems(node, path));
  }
  if (count > maxNodes)
    problems.push({ path: 'steps', message: `${count} nodes; a workflow may have at most ${maxNodes}` });
  const stepNames = new Set(names.keys());
  for (const { node, path: nodePath } of walkNodes(definition.steps)) {
    const templates: Array<[string, unknown]> =
      node.type === 'step'
        ? [['input', node.input]]
        : node.type === 'wait'
          ? [
              ['approval.prompt', node.approval?.prompt],
              ['until', node.until],
            ]
          : [];
    for (const [field, template] of templates) {
      if (template === undefined) continue;
      const path = `${nodePath}.${field}`;
      for (const variable of new Set(unknownStepTemplateVariables(template, stepNames))) {
        problems.push({
          path,
          message: `unknown template variable {{${variable}}}; use input, previous, steps.<name of a node> or a schedule variable (date, day_of_week, timestamp, run_number, scheduled_for, schedule.name, schedule.id)`,
        });
      }
    }
  }
  return problems;
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxWaitMs = 365 * 86_400_000;

/** A wait node: one kind, durations, an `until` that is a time, approvers' shape, `match` compiles. */
function waitProblems(node: WaitNode, path: string): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const kinds = (['approval', 'event', 'sleep', 'until'] as const).filter((kind) => node[kind] !== undefined);
  if (kinds.length !== 1) {
    problems.push({
      path,
      message:
        kinds.length === 0
          ? 'give one of approval, event, sleep or until'
          : `give only one of approval, event, sleep or until (got ${kinds.join(', ')})`,
    });
  }
  const duration = (field: string, value: number | string | undefined, max: number, positive: boolean) => {
    if (value === undefined) return;
    const ms = parseDuration(value);
    if (ms === undefined)
      problems.push({
        path: `${path}.${field}`,
        message: `"${value}" is not a duration: use seconds or "90s", "2h", "7d"`,
      });
    else if (ms > max || (positive && ms <= 0))
      problems.push({
        path: `${path}.${field}`,
        message: `${value} is outside ${positive ? 'more than 0' : '0'} to ${max / 86_400_000} days`,
      });
  };
  duration('approval.timeout', node.approval?.timeout, maxWaitMs, true);
  duration('event.timeout', node.event?.timeout, maxWaitMs, true);
  duration('event.lookback', node.event?.lookback, maxLookbackMs, false);
  duration('sleep', node.sleep, maxWaitMs, false);
  if (node.until !== undefined && !node.until.includes('{{') && !parseUntil(node.until)) {
    problems.push({
      path: `${path}.until`,
      message: `"${node.until}" is not an ISO time with an offset (e.g. 2026-12-24T09:00:00Z) or a template giving one`,
    });
  }
  node.approval?.approvers?.forEach((approver, index) => {
    if (!uuidShape.test(approver) && !(approverRoles as readonly string[]).includes(approver)) {
      problems.push({
        path: `${path}.approval.approvers[${index}]`,
        message: `"${approver}" is neither a user id nor one of ${approverRoles.join(', ')}`,
      });
    }
  });
  if (node.event?.match !== undefined) {
    try {
      compileEventMatch(node.event.match);
    } catch (error) {
      if (!(error instanceof EventMatchError)) throw error;
      problems.push({ path: `${path}.event.match`, message: `${error.message} (may name event, input)` });
    }
  }
  return problems;
}

function routerProblems(
  node: Extract<WorkflowNode, { type: 'router' }>,
  path: string,
  selector: CompiledCel | undefined,
): WorkflowProblem[] {
  const results = selector?.literalResults;
  if (!results) return [];
  const choices = node.choices.map((choice) => choice.name);
  const problems: WorkflowProblem[] = [];
  for (const result of new Set(results)) {
    if (!choices.includes(result)) {
      problems.push({
        path: `${path}.selector`,
        message: `can return "${result}", which is not a choice (choices: ${choices.join(', ')})`,
      });
    }
  }
  node.choices.forEach((choice, index) => {
    if (!results.includes(choice.name)) {
      problems.push({
        path: `${path}.choices[${index}].name`,
        message: `the selector can never name "${choice.name}" (it returns only ${[...new Set(results)].join(', ')})`,
      });
    }
  });
  return problems;
}

/** Whether `target` reaches `self` through nested workflow steps (a cycle). */
async function reaches(lookup: ReferenceLookup, start: WorkflowDefinition, self: string): Promise<boolean> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const definition = queue.pop()!;
    for (const { node } of walkNodes(definition.steps)) {
      if (node.type !== 'step' || node.workflow_id === undefined) continue;
      if (node.workflow_id === self) return true;
      if (seen.has(node.workflow_id)) continue;
      seen.add(node.workflow_id);
      const nested = await lookup.workflow(node.workflow_id);
      if (nested) queue.push(nested.definition);
    }
  }
  return false;
}

async function referenceProblems(
  definition: WorkflowDefinition,
  lookup: ReferenceLookup,
  selfId: string | undefined,
): Promise<WorkflowProblem[]> {
  const problems: WorkflowProblem[] = [];
  for (const { node, path } of walkNodes(definition.steps)) {
    if (node.type === 'wait' && lookup.user) {
      for (const [index, approver] of (node.approval?.approvers ?? []).entries()) {
        if (uuidShape.test(approver) && !(await lookup.user(approver)))
          problems.push({ path: `${path}.approval.approvers[${index}]`, message: `no user "${approver}" exists` });
      }
    }
    if (node.type !== 'step') continue;
    if (node.assistant_id !== undefined) {
      const found = await lookup.assistant(node.assistant_id);
      if (!found.ok) problems.push({ path: `${path}.assistant_id`, message: found.reason });
    }
    if (node.module !== undefined && !lookup.hasModule(node.module)) {
      problems.push({
        path: `${path}.module`,
        message: `module "${node.module}" is not registered in this server's config file`,
      });
    }
    if (node.workflow_id !== undefined) {
      if (selfId !== undefined && node.workflow_id === selfId) {
        problems.push({ path: `${path}.workflow_id`, message: 'a workflow may not run itself (a cycle)' });
        continue;
      }
      const nested = await lookup.workflow(node.workflow_id);
      if (!nested)
        problems.push({
          path: `${path}.workflow_id`,
          message: `no workflow "${node.workflow_id}" was found (or it is not yours)`,
        });
      else if (nested.status !== 'active')
        problems.push({
          path: `${path}.workflow_id`,
          message: `workflow "${nested.name}" is inactive: activate it first`,
        });
      else if (selfId !== undefined && (await reaches(lookup, nested.definition, selfId))) {
        problems.push({
          path: `${path}.workflow_id`,
          message: `workflow "${nested.name}" runs this workflow again (a cycle)`,
        });
      }
    }
  }
  return problems;
}

/** The 422 for a definition's problems: every problem listed, the first named in the message. */
export function invalidWorkflow(problems: readonly WorkflowProblem[]): KairosError {
  const first = problems[0]!;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, see details.errors)`
      : '';
  return new KairosError('invalid_workflow', `${first.path}: ${first.message}${more}`, {
    status: 422,
    details: { field: first.path, errors: problems },
  });
}

/**
 * Validates a definition for saving: shape, step targets, unique names, limits (nesting ≤ 16,
 * ≤ 500 nodes, 1 ≤ max_iterations ≤ 100), CEL compilation, router choices, and references
 * (assistants, modules, nested workflows, cycles). Returns the parsed definition or throws
 * `invalid_workflow` (422) listing every problem with its path.
 *
 * @example
 * const definition = await validateWorkflow(body, lookup, existingId);
 */
export async function validateWorkflow(
  input: unknown,
  lookup: ReferenceLookup,
  selfId?: string,
): Promise<WorkflowDefinition> {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) throw invalidWorkflow(shapeProblems(parsed.error));
  const definition = parsed.data as WorkflowDefinition;
  const { compiled, problems } = compileExpressions(definition);
  problems.push(...structureProblems(definition, compiled));
  problems.push(...(await referenceProblems(definition, lookup, selfId)));
  if (problems.length > 0) throw invalidWorkflow(problems);
  return definition;
}
