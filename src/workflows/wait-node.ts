import { RunFailure } from '../runs/run-failure.ts';
import { defaultApprovalTimeoutMs } from '../runs/approval-wait.ts';
import { parseUntil } from '../runs/timer-wait.ts';
import { RunParked, type WaitRequest, type WaitRow } from '../runs/wait.ts';
import { parseDuration } from '../time/durations.ts';
import { contentText, renderStepInput } from './step-input.ts';
import { LeaseLost } from './step-writer.ts';
import type { WaitNode } from './workflow-definition.ts';
import type { NodeFrame, NodeOutcome, WorkflowRunner } from './workflow-runner.ts';

/** A duration of a wait node in milliseconds (validated at save; 0 if it somehow is not one). */
function ms(value: number | string | undefined): number | undefined {
  return value === undefined ? undefined : (parseDuration(value) ?? 0);
}

/** What the node asks to wait for, its templates rendered and its durations as instants from `now`. */
function waitRequest(
  runner: WorkflowRunner,
  node: WaitNode,
  input: unknown,
  frame: NodeFrame,
  now: number,
): WaitRequest {
  const render = (template: string) =>
    renderStepInput(template, {
      input: frame.scope.input,
      previous: input,
      steps: frame.scope.outputs,
      schedule: runner.deps.scheduleValues,
    });
  const base = {
    nodeKey: frame.key,
    nodeName: node.name,
    since: new Date(now),
    prompt: null,
    approvers: [],
    eventName: null,
    match: null,
    lookbackMs: 0,
    onTimeout: null,
  };
  const after = (duration: number | undefined) => (duration === undefined ? null : new Date(now + duration));
  if (node.approval) {
    const rendered = render(node.approval.prompt);
    return {
      ...base,
      kind: 'approval',
      until: after(ms(node.approval.timeout) ?? defaultApprovalTimeoutMs),
      prompt: typeof rendered === 'string' ? rendered : contentText(rendered),
      approvers: node.approval.approvers ?? [],
      onTimeout: node.approval.on_timeout ?? 'reject',
    };
  }
  if (node.event) {
    return {
      ...base,
      kind: 'event',
      until: after(ms(node.event.timeout)),
      eventName: node.event.name,
      match: node.event.match ?? null,
      lookbackMs: ms(node.event.lookback) ?? 0,
      onTimeout: node.event.on_timeout ?? 'fail',
    };
  }
  if (node.sleep !== undefined) return { ...base, kind: 'time', until: after(ms(node.sleep)) };
  const text = contentText(render(node.until ?? ''));
  const until = parseUntil(text);
  if (!until) {
    throw new RunFailure('workflow_error', `until ${JSON.stringify(text)} is not an ISO time with an offset`, {
      retryable: false,
      details: { until: text },
    });
  }
  return { ...base, kind: 'time', until };
}

/** The node's content from its ended wait; a timeout with `on_timeout: "fail"` fails the node. */
function waitContent(node: WaitNode, wait: WaitRow): unknown {
  if (wait.resolution === 'cancelled')
    throw new RunFailure('cancelled', `the wait "${node.name}" was cancelled`, { retryable: false });
  if (wait.resolution === 'timeout' && wait.result === null) {
    throw new RunFailure('timeout', `wait "${node.name}" timed out at ${wait.resolved_at?.toISOString()}`, {
      retryable: false,
      details: { until: wait.until?.toISOString() ?? null, on_timeout: 'fail' },
    });
  }
  return wait.result;
}

/**
 * A `wait` node: opens its wait (or finds the one it opened before the run parked) and, until
 * it has ended, parks the run ({@link RunParked}: the worker releases the run; nothing is held).
 * When the run resumes here, the node's content is the decision, the event or `{woke_at}`.
 */
export async function runWaitNode(
  runner: WorkflowRunner,
  node: WaitNode,
  input: unknown,
  frame: NodeFrame,
): Promise<NodeOutcome> {
  const { deps } = runner;
  const request = waitRequest(runner, node, input, frame, deps.clock.now());
  const wait = await deps.openWait(request);
  if (!wait) throw new LeaseLost();
  if (wait.resolved_at === null) throw new RunParked(wait);
  return { content: waitContent(node, wait) };
}
