import { inSpan } from '../observability/tracing.ts';
import type { Clock } from '../clock.ts';
import type { Queryable } from '../store/database.ts';
import type { RunStepRow, StepFence } from '../store/run-steps.ts';
import { runConditionNode } from './condition-node.ts';
import { runLoopNode } from './loop-node.ts';
import { runParallelNode } from './parallel-node.ts';
import { runRouterNode } from './router-node.ts';
import { contentValue, renderStepInput } from './step-input.ts';
import { runStepNode } from './step-node.ts';
import { runWaitNode } from './wait-node.ts';
import { isRunParked, type WaitRequest, type WaitRow } from '../runs/wait.ts';
import { LeaseLost, StepWriter } from './step-writer.ts';
import type { CompiledExpressions } from './workflow-validate.ts';
import type { WorkflowDefinition, WorkflowNode } from './workflow-definition.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** How one step calls what it names; the runner never knows about HTTP or modules. */
export interface StepCall {
  input: unknown;
  /** `<run id>:<step key>`: the same for every attempt and every resumption of this step. */
  idempotencyKey: string;
  signal: AbortSignal;
  attempt: number;
  emit(kind: string, data?: unknown): Promise<void>;
}

/** A workflow version ready to run: its definition and its compiled expressions. */
export interface LoadedWorkflow {
  id: string;
  version: number;
  definition: WorkflowDefinition;
  compiled: CompiledExpressions;
}

export interface WorkflowRunnerDeps {
  db: Queryable;
  clock: Pick<Clock, 'now' | 'sleep'>;
  fence: StepFence;
  /** Finished steps of earlier attempts, by key: they are not executed again. */
  done: ReadonlyMap<string, Pick<RunStepRow, 'status' | 'output' | 'reused'>>;
  callAssistant(assistantId: string, call: StepCall): Promise<unknown>;
  callModule(moduleId: string, call: StepCall): Promise<unknown>;
  /** A nested workflow's active version. */
  loadWorkflow(workflowId: string): Promise<LoadedWorkflow>;
  /** What CEL's `run` and the templates' schedule variables see. */
  run: { id: string; number: number | null; trigger: string; scheduledFor: Date | null };
  scheduleValues: Readonly<Record<string, string>>;
  emit(kind: string, data?: unknown): Promise<void>;
  /** Opens a wait node's wait, or finds the one it opened before (undefined: the lease is gone). */
  openWait(request: WaitRequest): Promise<WaitRow | undefined>;
}

/** The data a workflow's nodes share: its input and every finished step's content by name. */
export interface WorkflowScope {
  input: unknown;
  outputs: Map<string, unknown>;
  compiled: CompiledExpressions;
  /** Nested workflows entered so far (a guard against cycles created after validation). */
  depth: number;
}

/** Where a node runs: its place in the definition and in the run, and the signal that stops it. */
export interface NodeFrame {
  scope: WorkflowScope;
  path: string;
  key: string;
  parentKey: string | null;
  iteration: number | null;
  ord: number;
  signal: AbortSignal;
  /** Counts the failures recorded with skip_on_failure (a loop's `all_success`). */
  skipped: { count: number };
  /** Where finished contents are also collected by name (each enclosing loop's iteration). */
  sinks: ReadonlyArray<Map<string, unknown>>;
}

/** Where a list of nodes runs: a frame without the position of one node. */
export type SequenceFrame = Omit<NodeFrame, 'ord'>;

export interface NodeOutcome {
  content: unknown;
}

/** Why a node failed: a RunFailure with the node's path and name in `details`. */
export function nodeFailure(frame: NodeFrame, node: WorkflowNode, cause: unknown): RunFailure {
  if (cause instanceof RunFailure && (cause.details as { path?: string } | undefined)?.path !== undefined) return cause;
  const failure =
    cause instanceof RunFailure
      ? cause
      : new RunFailure('assistant_error', cause instanceof Error ? cause.message : String(cause), { cause });
  return new RunFailure(failure.kind, `${node.type} "${node.name}" (${frame.path}) failed: ${failure.message}`, {
    retryable: failure.retryable && !failure.skip,
    details: {
      path: frame.path,
      name: node.name,
      ...(typeof failure.details === 'object' && failure.details !== null ? failure.details : {}),
    },
    cause: failure,
  });
}

/** A CEL evaluation that failed or returned the wrong type: the node fails with `workflow_error`. */
export function expressionFailure(expression: string, message: string): RunFailure {
  return new RunFailure('workflow_error', `expression ${JSON.stringify(expression)}: ${message}`, {
    retryable: false,
    details: { expression, message },
  });
}

/**
 * Walks a workflow's tree and checkpoints it: each node's start and end are its `run_steps` row
 * and a trace event, written through a {@link StepWriter} (what is recorded in one turn goes out
 * as one fenced statement). A step is called only once its start is committed, and with it
 * everything recorded before (the previous step's end): a step reported finished is never called
 * again. Ends are not awaited otherwise; the run's output waits for all of them. Steps finished by
 * an earlier attempt are taken from `done` and not executed again, so a recovered or retried run
 * resumes at the first node that did not finish; containers are walked again and decide the same
 * way from the same data.
 *
 * @example
 * const runner = new WorkflowRunner(deps);
 * const output = await runner.run(loaded, input, signal); // { content, steps }
 */
export class WorkflowRunner {
  /** The attempt each running node is at and when it started, by key (for its end). */
  private readonly attempts = new Map<string, { attempt: number; at: number }>();
  private readonly writer: StepWriter;
  /** Names of the nodes a replay took from the replayed run (`output.reused`). */
  private readonly reused = new Set<string>();

  /** Appends a trace event after the runner's earlier writes (not awaited: it goes with the next). */
  readonly emit = (kind: string, data?: unknown): Promise<void> => {
    void this.writer.event({ kind, at: new Date(this.deps.clock.now()), data: data ?? null, durationOf: null });
    return Promise.resolve();
  };

  constructor(readonly deps: WorkflowRunnerDeps) {
    this.writer = new StepWriter(deps.db, deps.fence);
  }

  /** Runs a whole workflow; resolves with `{content, steps}` (last content, every step's output by name). */
  async run(
    workflow: LoadedWorkflow,
    input: unknown,
    signal: AbortSignal,
  ): Promise<{ content: unknown; steps: Record<string, unknown>; reused?: string[] }> {
    const scope: WorkflowScope = { input, outputs: new Map(), compiled: workflow.compiled, depth: 0 };
    let content: unknown;
    try {
      content = await this.runSequence(workflow.definition.steps, input, {
        scope,
        path: 'steps',
        key: 'steps',
        parentKey: null,
        iteration: null,
        signal,
        skipped: { count: 0 },
        sinks: [],
      });
    } catch (error) {
      // The nodes' ends (and cancellations) are recorded before the run's failure is.
      const lost = await this.writer.flushed().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      throw lost instanceof LeaseLost ? lost : error;
    }
    await this.writer.flushed();
    return {
      content: contentValue(content),
      steps: Object.fromEntries([...scope.outputs].map(([name, value]) => [name, contentValue(value)])),
      ...(this.reused.size > 0 && { reused: [...this.reused] }),
    };
  }

  /**
   * Runs nodes in order, each receiving the previous one's content; resolves with the last content.
   * `at` names the list: its `path` and `key` prefix (`steps`, `steps[1].steps`, `steps[1]@2.steps`).
   */
  async runSequence(nodes: readonly WorkflowNode[], input: unknown, at: SequenceFrame): Promise<unknown> {
    let previous = input;
    for (const [index, node] of nodes.entries()) {
      const outcome = await this.runNode(node, previous, {
        scope: at.scope,
        path: `${at.path}[${index}]`,
        key: `${at.key}[${index}]`,
        parentKey: at.parentKey,
        iteration: at.iteration,
        ord: index,
        signal: at.signal,
        skipped: at.skipped,
        sinks: at.sinks,
      });
      previous = outcome.content;
    }
    return previous;
  }

  /** Runs one node: from the checkpoint when it finished before, else recorded as it starts and ends. */
  async runNode(node: WorkflowNode, input: unknown, frame: NodeFrame): Promise<NodeOutcome> {
    const { deps } = this;
    const cached =
      (node.type === 'step' && node.workflow_id === undefined) || node.type === 'wait'
        ? deps.done.get(frame.key)
        : undefined;
    if (cached && (cached.status === 'success' || cached.status === 'skipped')) {
      const content = cached.status === 'success' ? cached.output : input;
      if (cached.status === 'skipped') frame.skipped.count++;
      else this.collect(frame, node.name, content);
      if (cached.reused) this.reused.add(node.name);
      return { content };
    }
    if (frame.signal.aborted) throw frame.signal.reason;
    const container = deps.done.get(frame.key);
    const restart = !(container && container.status === 'success');
    // A step's `input` template is rendered here, so that its record shows what it received.
    const given =
      node.type === 'step' && node.input !== undefined
        ? renderStepInput(node.input, {
            input: frame.scope.input,
            previous: input,
            steps: frame.scope.outputs,
            schedule: deps.scheduleValues,
          })
        : input;
    if (restart) await this.started(node, frame, given, 1);
    try {
      const attributes = {
        'kairos.workflow.node.type': node.type,
        'kairos.workflow.node.name': node.name,
        'kairos.workflow.node.path': frame.path,
        'kairos.workflow.node.key': frame.key,
        ...(frame.iteration !== null && { 'kairos.workflow.node.iteration': frame.iteration }),
      };
      // A span per node (a no-op without tracing): steps' assistant calls become its children.
      const outcome = await inSpan(`workflow.${node.type} ${node.name}`, { attributes }, () =>
        this.execute(node, given, frame),
      );
      this.collect(frame, node.name, outcome.content);
      if (restart) await this.ended(node, frame, 'success', contentValue(outcome.content), null);
      return outcome;
    } catch (error) {
      if (error instanceof LeaseLost) throw error;
      // The run waits: the wait node is recorded `waiting`; its containers stay open until it resumes.
      if (isRunParked(error)) {
        if (node.type === 'wait') this.waiting(frame);
        throw error;
      }
      const aborted = frame.signal.aborted;
      const failure = aborted ? asFailure(frame.signal.reason) : nodeFailure(frame, node, error);
      const own = aborted ? failure : error instanceof RunFailure ? error : failure;
      const detail = {
        kind: own.kind,
        message: own.message,
        ...(typeof own.details === 'object' && own.details !== null ? own.details : {}),
      };
      if (!aborted && node.type === 'step' && node.skip_on_failure) {
        await this.ended(node, frame, 'skipped', null, detail);
        frame.skipped.count++;
        return { content: input };
      }
      await this.ended(node, frame, aborted ? 'cancelled' : 'error', null, detail);
      throw aborted ? frame.signal.reason : failure;
    }
  }

  private collect(frame: NodeFrame, name: string, content: unknown): void {
    frame.scope.outputs.set(name, content);
    for (const sink of frame.sinks) sink.set(name, content);
  }

  private execute(node: WorkflowNode, input: unknown, frame: NodeFrame): Promise<NodeOutcome> {
    switch (node.type) {
      case 'step':
        return runStepNode(this, node, input, frame);
      case 'parallel':
        return runParallelNode(this, node, input, frame);
      case 'loop':
        return runLoopNode(this, node, input, frame);
      case 'router':
        return runRouterNode(this, node, input, frame);
      case 'condition':
        return runConditionNode(this, node, input, frame);
      case 'wait':
        return runWaitNode(this, node, input, frame);
    }
  }

  /**
   * Records a node's (or a step attempt's) start. A step's resolves once committed (the step is
   * called after it); a container's resolves at once (its first child's start carries it).
   */
  async started(node: WorkflowNode, frame: NodeFrame, input: unknown, attempt: number): Promise<void> {
    const now = this.deps.clock.now();
    const at = new Date(now);
    this.attempts.set(frame.key, { attempt, at: now });
    const value = contentValue(input);
    // A leaf step's row is written once, as it ends; until then its start event stands for it
    // (listRunSteps shows it `running` from there: hence its parent and place in the event).
    const leaf = node.type === 'step' && node.workflow_id === undefined;
    const written = this.writer.start(
      {
        key: frame.key,
        parentKey: frame.parentKey,
        path: frame.path,
        name: node.name,
        type: node.type,
        status: 'running',
        attempt,
        iteration: frame.iteration,
        ord: frame.ord,
        input: value,
        output: null,
        error: null,
        startedAt: at,
        finishedAt: null,
        durationMs: null,
      },
      {
        kind: 'step_started',
        at,
        data: {
          key: frame.key,
          path: frame.path,
          name: node.name,
          type: node.type,
          attempt,
          iteration: frame.iteration,
          input: value,
          ...(leaf && { parent_key: frame.parentKey, ord: frame.ord }),
        },
        durationOf: null,
      },
      leaf,
    );
    if (leaf) await written;
  }

  /** Records a wait node as `waiting` (the run parks after the writes are flushed). */
  private waiting(frame: NodeFrame): void {
    const at = new Date(this.deps.clock.now());
    void this.writer.end(
      { key: frame.key, status: 'waiting', output: null, error: null, finishedAt: at, durationMs: null },
      { kind: 'step_waiting', at, data: { key: frame.key, path: frame.path }, durationOf: null },
    );
  }

  /** Records how a node ended (not awaited: the next start, or the run's end, waits for it). */
  ended(
    node: WorkflowNode,
    frame: NodeFrame,
    status: 'success' | 'error' | 'skipped' | 'cancelled',
    output: unknown,
    error: unknown,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const at = new Date(now);
    const started = this.attempts.get(frame.key);
    // Rounded: the database clock's offset (re-measured every minute) has a fraction of a ms.
    const durationMs = started === undefined ? null : Math.max(0, Math.round(now - started.at));
    const event: Record<string, unknown> = {
      key: frame.key,
      path: frame.path,
      name: node.name,
      type: node.type,
      status,
      attempt: started?.attempt ?? 1,
      iteration: frame.iteration,
    };
    // A success's output is in its row (written by the same statement): the event does not repeat
    // it; listRunEvents puts it back for readers.
    if (output !== null && status !== 'success') event.output = output;
    if (error !== null) event.error = error;
    if (durationMs !== null) event.duration_ms = durationMs;
    void this.writer.end(
      { key: frame.key, status, output, error, finishedAt: at, durationMs },
      { kind: 'step_finished', at, data: event, durationOf: durationMs === null ? frame.key : null },
    );
    return Promise.resolve();
  }
}

function asFailure(reason: unknown): RunFailure {
  if (reason instanceof RunFailure) return reason;
  return new RunFailure('cancelled', reason instanceof Error ? reason.message : 'aborted', { retryable: false });
}
