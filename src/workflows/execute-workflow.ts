import type { AssistantExecutionDeps, RunOwner, RunToExecute } from '../agents/execute-assistant.ts';
import { executeAssistant } from '../agents/execute-assistant.ts';
import { moduleAssistantRuntime } from '../agents/module-assistant.ts';
import { createModuleRegistry, type ModuleRegistry } from '../agents/module-registry.ts';
import type { Assistant, AssistantRuntime, RunContext, RunResult } from '../agents/runtime.ts';
import type { Clock } from '../clock.ts';
import { templateValues } from '../runs/input-template.ts';
import { assistantFromRow, findAssistantsByIds } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { beginWorkflowRun } from './workflow-rows.ts';
import { findWorkflow, findWorkflowVersion } from './workflow-rows.ts';
import { openWait } from '../runs/open-wait.ts';
import type { WorkflowDefinition } from './workflow-definition.ts';
import { walkNodes } from './workflow-definition.ts';
import { WorkflowRunner, type LoadedWorkflow } from './workflow-runner.ts';
import { compileExpressions, type CompiledExpressions } from './workflow-validate.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** What executing workflow runs needs; build it once per replica. */
export interface WorkflowExecutionDeps {
  db: Database;
  clock: Pick<Clock, 'now' | 'sleep'>;
  /** How step assistants run (the same runtimes as assistant runs). */
  assistants: AssistantExecutionDeps;
  /** Module functions (the config file's `defineAssistant`s and workflow function steps). */
  registry?: ModuleRegistry;
}

const skip = (message: string) => new RunFailure('config', message, { skip: true, retryable: false });

/** Compiled expressions by `workflow id:version`: a version never changes, so compile it once. */
const compiledVersions = new Map<string, CompiledExpressions>();
const compiledLimit = 1000;

function compiledFor(workflowId: string, version: number, definition: WorkflowDefinition): CompiledExpressions {
  const key = `${workflowId}:${version}`;
  let compiled = compiledVersions.get(key);
  if (!compiled) {
    const result = compileExpressions(definition);
    if (result.problems.length > 0) {
      const first = result.problems[0]!;
      throw new RunFailure(
        'workflow_error',
        `workflow version ${version} does not compile: ${first.path}: ${first.message}`,
        { retryable: false, details: { errors: result.problems } },
      );
    }
    compiled = result.compiled;
    if (compiledVersions.size >= compiledLimit) compiledVersions.delete(compiledVersions.keys().next().value!);
    compiledVersions.set(key, compiled);
  }
  return compiled;
}

/** The assistants a definition names, read in one query, so that no step waits on a read. */
async function preloadAssistants(
  db: Database,
  definition: WorkflowDefinition,
  into: Map<string, Assistant | null>,
): Promise<void> {
  const ids = new Set<string>();
  for (const { node } of walkNodes(definition.steps)) {
    if (node.type === 'step' && node.assistant_id !== undefined && !into.has(node.assistant_id))
      ids.add(node.assistant_id);
  }
  if (ids.size === 0) return;
  const found = await findAssistantsByIds(db, [...ids]);
  for (const id of ids) into.set(id, null);
  for (const a of found) into.set(a.id, a);
}

function ownerMay(owner: RunOwner | null | undefined, run: RunToExecute, workflowOwner: string, name: string): void {
  if (owner === null) throw skip(`the run's owner (user ${run.ownerId}) no longer exists`);
  if (owner?.disabled) throw skip(`the run's owner (user ${run.ownerId}) is disabled`);
  if (owner?.role === 'viewer')
    throw skip(`the run's owner (user ${run.ownerId}) is a viewer and may not run workflows`);
  if (owner && owner.role !== 'admin' && workflowOwner !== run.ownerId)
    throw skip(`the run's owner may no longer use workflow "${name}"`);
}

/**
 * Executes one attempt of a workflow run: reads the version it runs and the steps earlier
 * attempts finished (one statement), checks the workflow is active and the owner may run it
 * (otherwise `skipped`, reason `config`), then walks the tree with {@link WorkflowRunner}.
 * The output is `{content, steps}`; a failing node fails the run with its reason.
 */
export async function executeWorkflow(
  deps: WorkflowExecutionDeps & { workerId: string },
  run: RunToExecute,
  signal: AbortSignal,
  emit: RunContext['emit'],
): Promise<RunResult> {
  const fence = { runId: run.id, workerId: deps.workerId, attempt: run.attempt };
  const start = await beginWorkflowRun(deps.db, fence);
  if (!start) throw skip(`workflow ${run.workflowId ?? '(none)'} no longer exists`);
  if (start.status !== 'active') throw skip(`workflow "${start.name}" is inactive: activate it to run it`);
  ownerMay(run.preloaded?.owner, run, start.owner_id, start.name);
  if (!start.definition)
    throw new RunFailure('workflow_error', `version ${start.workflow_version} of workflow "${start.name}" is missing`, {
      retryable: false,
    });

  // The assistants the steps name came with the start (a nested workflow's are read on first use).
  const assistants = new Map<string, Assistant | null>();
  for (const { node } of walkNodes(start.definition.steps))
    if (node.type === 'step' && node.assistant_id !== undefined) assistants.set(node.assistant_id, null);
  for (const row of start.assistants) assistants.set(String(row.id), assistantFromRow(row));
  const registry = deps.registry ?? createModuleRegistry([]);
  const modules: AssistantRuntime = moduleAssistantRuntime(registry);
  const owner = run.preloaded?.owner;

  const runner = new WorkflowRunner({
    db: deps.db,
    clock: deps.clock,
    fence,
    done: new Map(start.done.map((step) => [step.key, step])),
    run: { id: run.id, number: run.runNumber, trigger: run.trigger, scheduledFor: run.scheduledFor },
    scheduleValues: templateValues({
      occurrenceMs: run.scheduledFor?.getTime() ?? deps.clock.now(),
      timezone: run.schedule?.timezone ?? 'UTC',
      runNumber: run.runNumber ?? 0,
      scheduleId: run.scheduleId ?? '',
      scheduleName: run.schedule?.name ?? '',
    }),
    emit,
    openWait: (request) => openWait(deps.db, fence, request, run.input, new Date(deps.clock.now())),
    async callAssistant(assistantId, call) {
      if (!assistants.has(assistantId)) {
        // A nested workflow's assistant: read on first use.
        await preloadAssistants(
          deps.db,
          { name: '', steps: [{ type: 'step', name: '', assistant_id: assistantId }] },
          assistants,
        );
      }
      const result = await executeAssistant(
        deps.assistants,
        {
          ...run,
          assistantId,
          threadId: null,
          sessionMode: null,
          onRunCompleted: null,
          input: call.input,
          attempt: call.attempt,
          idempotencyKey: call.idempotencyKey,
          preloaded: { assistant: assistants.get(assistantId) ?? null, owner: owner ?? null },
        },
        call.signal,
        call.emit,
      );
      return result.output;
    },
    async callModule(moduleId, call) {
      const assistant: Assistant = {
        id: moduleId,
        ownerId: start.owner_id,
        name: moduleId,
        kind: 'module',
        config: { module: moduleId },
        status: 'active',
        graphId: null,
        description: null,
        builtIn: false,
        metadata: {},
        maxConcurrent: null,
        rateLimit: null,
        version: 1,
        createdAt: new Date(0),
        updatedAt: new Date(0),
      };
      const result = await modules.run(assistant, {
        runId: run.id,
        idempotencyKey: call.idempotencyKey,
        scheduleId: run.scheduleId,
        scheduledFor: run.scheduledFor,
        trigger: run.trigger,
        runNumber: run.runNumber,
        attempt: call.attempt,
        threadId: null,
        ownerId: run.ownerId,
        input: call.input,
        history: [],
        signal: call.signal,
        logger: deps.assistants.logger.child({ run_id: run.id, module: moduleId }),
        emit: call.emit,
      });
      return result.output;
    },
    async loadWorkflow(workflowId): Promise<LoadedWorkflow> {
      const row = await findWorkflow(deps.db, workflowId);
      if (!row) throw new RunFailure('config', `nested workflow ${workflowId} no longer exists`, { retryable: false });
      if (row.status !== 'active')
        throw new RunFailure('config', `nested workflow "${row.name}" is inactive`, { retryable: false });
      if (run.preloaded?.owner?.role !== 'admin' && row.owner_id !== run.ownerId) {
        throw new RunFailure('config', `the run's owner may not use nested workflow "${row.name}"`, {
          retryable: false,
        });
      }
      const definition = (await findWorkflowVersion(deps.db, row.id, row.version)) ?? row.definition;
      await preloadAssistants(deps.db, definition, assistants);
      return { id: row.id, version: row.version, definition, compiled: compiledFor(row.id, row.version, definition) };
    },
  });
  const loaded: LoadedWorkflow = {
    id: start.workflow_id,
    version: start.workflow_version,
    definition: start.definition,
    compiled: compiledFor(start.workflow_id, start.workflow_version, start.definition),
  };
  const output = await runner.run(loaded, run.input, signal);
  return { output };
}
