import { contentText, contentValue } from './step-input.ts';
import type { WorkflowRunnerDeps, WorkflowScope } from './workflow-runner.ts';

/** What router selectors and condition evaluators see (docs/workflows.md, "CEL context"). */
export function flowContext(
  deps: Pick<WorkflowRunnerDeps, 'run'>,
  scope: WorkflowScope,
  previous: unknown,
): Record<string, unknown> {
  return {
    input: celValue(contentValue(scope.input)),
    previous_step_content: contentText(previous),
    previous_step_outputs: Object.fromEntries(
      [...scope.outputs].map(([name, value]) => [name, celValue(contentValue(value))]),
    ),
    run: {
      number: deps.run.number === null ? null : BigInt(deps.run.number),
      trigger: deps.run.trigger,
      scheduled_for: deps.run.scheduledFor?.toISOString() ?? null,
      id: deps.run.id,
    },
  };
}

/** A JSON value as CEL sees it: numbers are doubles (CEL's JSON mapping), `undefined` is null. */
export function celValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(celValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celValue(v)]));
  return value;
}
