import type { AssistantService } from '../../src/agents/assistant-service.ts';
import { defineAssistant, type AssistantDefinition } from '../../src/agents/define-assistant.ts';
import { createAgents } from '../../src/agents/create-agents.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId, type Actor } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database } from '../../src/store/database.ts';
import { listRunEvents, type RunEventRow } from '../../src/store/run-events.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { RunService } from '../../src/worker/run-service.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import type { RunStepResource } from '../../src/workflows/step-tree.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import type { WorkflowDefinition } from '../../src/workflows/workflow-definition.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/databases.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

export const admin: Actor = { userId: localAdminId, role: 'admin' };
export const logger = createLogger('silent');

/** Module functions the workflows under test call; `calls` counts them by id. */
export function testModules(calls: Map<string, number>): AssistantDefinition[] {
  const counted = (id: string, run: AssistantDefinition['run']) =>
    defineAssistant({
      id,
      name: id,
      run: (input, ctx) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        return run(input, ctx);
      },
    });
  return [
    counted('echo', (input) => input),
    counted('upper', (input) => String(typeof input === 'string' ? input : JSON.stringify(input)).toUpperCase()),
    counted('exclaim', (input) => `${typeof input === 'string' ? input : JSON.stringify(input)}!`),
    counted('fail', () => {
      throw new RunFailure('assistant_error', 'fail module failed on purpose', { retryable: false });
    }),
    counted('flaky', (_input, ctx) => {
      if (ctx.run.attempt < 2 && (calls.get('flaky') ?? 0) < 2) throw new Error('flaky: not yet');
      return 'steady';
    }),
    counted('count', (input) => ({ n: ((input as { n?: number } | null)?.n ?? 0) + 1 })),
    counted(
      'slow',
      (_input, ctx) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve('slow done'), 5000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(ctx.signal.reason);
          });
        }),
    ),
    counted('context', (input, ctx) => ({ input, key: ctx.run.idempotencyKey, attempt: ctx.run.attempt })),
  ];
}

export interface WorkflowHarness {
  db: Database;
  test: TestDatabase;
  agent: HttpAgentServer;
  /** An http assistant posting to `agent`. */
  httpAssistantId: string;
  calls: Map<string, number>;
  workflows: WorkflowService;
  runs: RunService;
  worker: WorkerPool;
  assistants: AssistantService;
  /** Saves a workflow, runs it with `input`, waits for the run to finish. */
  run(
    definition: WorkflowDefinition,
    input?: unknown,
    options?: { timeout?: number; retry?: { max_attempts: number } },
  ): Promise<FinishedRun>;
  finished(runId: string): Promise<FinishedRun>;
  close(): Promise<void>;
}

export interface FinishedRun {
  run: RunRow;
  steps: RunStepResource[];
  events: RunEventRow[];
}

let counter = 0;

/** A database, a local http agent (answers `{echo: input}`), the module functions, one worker. */
export async function createWorkflowHarness(
  kind: TestDatabaseKind,
  options: { slots?: number } = {},
): Promise<WorkflowHarness> {
  const test = await createTestDatabase(kind);
  const db = test.db;
  const agent = await startHttpAgentServer();
  const calls = new Map<string, number>();
  const registry = createModuleRegistry(testModules(calls));
  const config = loadConfig({
    KAIROS_LOG_LEVEL: 'silent',
    KAIROS_HTTP_ALLOW_PRIVATE: 'true',
    KAIROS_START_DEADLINE_SECONDS: '300',
  });
  const agents = await createAgents({ db, logger, config, registry, ensureBuiltIns: false });
  const services = createServices(config, db, { clock: systemClock, logger, agents });
  const { assistants, workflows, runs } = services;
  const httpAssistant = await insertAssistant(db, {
    ownerId: localAdminId,
    name: 'agent',
    kind: 'http',
    config: { url: agent.url },
  });
  const worker = new WorkerPool({
    db,
    clock: systemClock,
    logger,
    workerId: `worker-${++counter}`,
    config: {
      slots: options.slots ?? 4,
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      shutdownGraceMs: 2000,
      startDeadlineMs: 300_000,
    },
    pollIntervalMs: 500,
    execution: agents.execution,
  });
  await worker.start();
  const finished = async (runId: string): Promise<FinishedRun> => {
    await runs.wait(admin, runId, { timeoutMs: 30_000 });
    const run = (await findRun(db, runId))!;
    return { run, steps: await runs.steps(admin, runId), events: await listRunEvents(db, runId) };
  };
  return {
    db,
    test,
    agent,
    httpAssistantId: httpAssistant.id,
    calls,
    workflows,
    runs,
    worker,
    assistants,
    async run(definition, input, runOptions = {}) {
      const workflow = await workflows.create(admin, { ...definition, name: `${definition.name}-${++counter}` });
      const run = await workflows.run(admin, workflow.id, { input: input as never, ...runOptions });
      return finished(run.id);
    },
    finished,
    async close() {
      await worker.close();
      await services.close();
      await agent.close();
      await test.close();
    },
  };
}

/** Every node of a step tree, depth first. */
export function flatten(steps: readonly RunStepResource[]): RunStepResource[] {
  return steps.flatMap((step) => [step, ...flatten(step.children)]);
}
