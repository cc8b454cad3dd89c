import { listRunEvents } from '../store/run-events.ts';
import { systemClock, type Clock } from '../clock.ts';
import { createProviderLimits, type ProviderLimits } from '../providers/provider-limits.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { findAssistant } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { findScheduleLabel } from '../store/schedules.ts';
import { findUserStanding } from '../store/users.ts';
import {
  addressGuardFromConfig,
  addressGuardFromEnvironment,
  type AddressGuard,
  type ResolveAll,
} from './address-guard.ts';
import { agentosAssistantRuntime } from './agentos-assistant.ts';
import { httpAssistantRuntime } from './http-assistant.ts';
import { langgraphAssistantRuntime } from './langgraph-assistant.ts';
import { llmAssistantRuntime } from './llm-assistant.ts';
import { moduleAssistantRuntime } from './module-assistant.ts';
import { createModuleRegistry, type ModuleRegistry } from './module-registry.ts';
import type { AgentToolbox } from './agent-toolbox.ts';
import { openAgentWaits } from './agent-waits.ts';
import { inAssistantSpan } from '../observability/assistant-span.ts';
import { openRunSession } from './run-session.ts';
import type { Assistant, AssistantRuntime, RemoteSession, RunContext, RunResult, RunSchedule } from './runtime.ts';
import { remoteSessionKinds } from './runtime.ts';
import { findRemoteSession, keepRemoteSession, setRunRemoteSession } from '../store/remote-sessions.ts';
import type { Trigger } from '../runs/run-status.ts';
import { RunFailure } from '../runs/run-failure.ts';
import { isRunParked } from '../runs/wait.ts';
import { checkTokensPerRun } from './run-budget.ts';

/** What executing assistants needs; build it once with {@link createAssistantExecution}. */
export interface AssistantExecutionDeps {
  db: Database;
  logger: Logger;
  /** The outbound-address guard and the history bound; read from the environment when absent. */
  config?: Pick<Config, 'http' | 'threadMaxMessages'>;
  /** Module assistants (built-ins and the config file's); none when absent. */
  registry?: ModuleRegistry;
  /** Runtimes by kind; built from the above when absent. */
  runtimes?: ReadonlyMap<string, AssistantRuntime>;
  /** The tools llm assistants may be given; set by the composition root once the services exist. */
  tools?: AgentToolbox;
}

/** The worker executing a run: its id fences the waits the run opens (absent: the run cannot wait). */
export interface ExecutingWorker {
  id: string;
  clock: Pick<Clock, 'now'>;
}

/** The run as the worker hands it over for execution. */
export interface RunToExecute {
  id: string;
  assistantId: string | null;
  /** Set for a run of a workflow (then `assistantId` is null). */
  workflowId?: string | null;
  scheduleId: string | null;
  scheduledFor: Date | null;
  trigger: Trigger;
  runNumber: number | null;
  attempt: number;
  /** The run's owner: runs act as the owner of their schedule. */
  ownerId: string;
  /** Thread the run continues (thread-bound or persistent schedule, or an api run on a thread). */
  threadId: string | null;
  /** From the schedule; null for runs outside schedules. */
  sessionMode: 'new' | 'persistent' | null;
  onRunCompleted: 'delete' | 'keep' | null;
  /** Session `new` always creates its fresh thread, even where no runtime could read it (LangGraph crons). */
  freshThread?: boolean;
  /** The run has opened waits before (an agent run resumed after a park): read the latest before the call. */
  hasWaits?: boolean;
  input: unknown;
  /** The run's schedule (name and zone), for templates rendered while it runs; absent outside schedules. */
  schedule?: { name: string; timezone: string };
  /** The run's `tokens_per_run` budget, as its claim read it (docs/gates.md "Budgets"); absent: none. */
  tokensPerRun?: number;
  /** The call's idempotency key when it is not the run id (a workflow step: run id + step key). */
  idempotencyKey?: string;
  /** The run's own LangGraph `config`, else its schedule's (`configurable`, `tags`, …); absent when none. */
  config?: Record<string, unknown>;
  /** The run's own LangGraph `context`, else its schedule's; absent when none. */
  context?: unknown;
  /**
   * The assistant and owner as read by the worker's claim (same transaction as the lease), so that
   * execution needs no round trip before the POST: `null` = no longer exists, absent = read them here.
   */
  preloaded?: { assistant: Assistant | null; owner: RunOwner | null };
}

/** The run owner's role and state, as the permission check needs them. */
export interface RunOwner {
  role: 'admin' | 'member' | 'viewer';
  disabled: boolean;
}

const defaultThreadMaxMessages = 200;

/** The runtimes of every kind but workflow, over one guard and registry. */
export function defaultRuntimes(
  options: {
    guard?: AddressGuard;
    registry?: ModuleRegistry;
    env?: Record<string, string | undefined>;
    /** The shared provider limits llm calls wait for (docs/gates.md "Providers"); none: providers are not limited here. */
    providers?: ProviderLimits;
  } = {},
): Map<string, AssistantRuntime> {
  const guard = options.guard ?? addressGuardFromEnvironment();
  return new Map<string, AssistantRuntime>([
    ['http', httpAssistantRuntime({ guard, env: options.env })],
    ['llm', llmAssistantRuntime({ guard, env: options.env, providers: options.providers })],
    ['module', moduleAssistantRuntime(options.registry ?? createModuleRegistry([]))],
    ['agentos', agentosAssistantRuntime({ guard, env: options.env })],
    ['langgraph', langgraphAssistantRuntime({ guard, env: options.env })],
    [
      'a2a',
      lazyRuntime('a2a', async () =>
        (await import('./a2a-assistant.ts')).a2aAssistantRuntime({ guard, env: options.env }),
      ),
    ],
  ]);
}

/** A runtime whose module (and SDK) is loaded on its first run: most replicas never run that kind. */
function lazyRuntime(kind: Assistant['kind'], load: () => Promise<AssistantRuntime>): AssistantRuntime {
  let loaded: Promise<AssistantRuntime> | undefined;
  return {
    kind,
    async run(assistant, context) {
      loaded ??= load();
      return (await loaded).run(assistant, context);
    },
  };
}

/**
 * Builds the deps the worker passes to {@link executeAssistant}.
 *
 * @example
 * const registry = await loadModuleRegistry({ configFile: config.configFile, builtIns: builtInModules(db) });
 * const execution = createAssistantExecution({ db, logger, config, registry });
 * const result = await executeAssistant(execution, run, signal, emit);
 */
export function createAssistantExecution(options: {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'http' | 'threadMaxMessages'>;
  registry?: ModuleRegistry;
  /** Tests: a resolver for the address guard, and the environment `{"env": NAME}` reads. */
  resolveAll?: ResolveAll;
  env?: Record<string, string | undefined>;
  /** Whether the server is in local mode now (loopback agents allowed). */
  localMode?: () => Promise<boolean>;
  /** The clock provider limits count on (the engine's; the system clock when absent). */
  clock?: Clock;
}): AssistantExecutionDeps {
  const registry = options.registry ?? createModuleRegistry([]);
  const guard = addressGuardFromConfig(options.config, options.resolveAll, options.localMode);
  return {
    db: options.db,
    logger: options.logger,
    config: options.config,
    registry,
    runtimes: defaultRuntimes({
      guard,
      registry,
      env: options.env,
      providers: createProviderLimits({ db: options.db, clock: options.clock ?? systemClock }),
    }),
  };
}

const builtRuntimes = new WeakMap<AssistantExecutionDeps, ReadonlyMap<string, AssistantRuntime>>();

/** The runtime for an assistant kind, or undefined when this server has none (workflow). */
export function runtimeFor(deps: AssistantExecutionDeps, kind: Assistant['kind']): AssistantRuntime | undefined {
  return runtimesOf(deps).get(kind);
}

function runtimesOf(deps: AssistantExecutionDeps): ReadonlyMap<string, AssistantRuntime> {
  if (deps.runtimes) return deps.runtimes;
  let runtimes = builtRuntimes.get(deps);
  if (!runtimes) {
    const guard = deps.config ? addressGuardFromConfig(deps.config) : addressGuardFromEnvironment();
    runtimes = defaultRuntimes({
      guard,
      registry: deps.registry,
      providers: createProviderLimits({ db: deps.db, clock: systemClock }),
    });
    builtRuntimes.set(deps, runtimes);
  }
  return runtimes;
}

/** http assistants with request templates may use the schedule's name and zone. */
function wantsSchedule(assistant: Assistant): boolean {
  return assistant.kind === 'http' && (assistant.config.body !== undefined || assistant.config.query !== undefined);
}

async function findRunSchedule(db: Database, scheduleId: string): Promise<RunSchedule | undefined> {
  return findScheduleLabel(db, scheduleId);
}

/** The run's remote conversation: the id kept on its thread for this assistant, if any. */
async function openRemoteSession(
  db: Database,
  runId: string,
  threadId: string | null,
  assistantId: string,
): Promise<RemoteSession> {
  const id = threadId ? await findRemoteSession(db, threadId, assistantId) : null;
  return {
    id,
    persistent: threadId !== null,
    async keep(remoteId) {
      const kept = threadId ? await keepRemoteSession(db, threadId, assistantId, remoteId) : remoteId;
      await setRunRemoteSession(db, runId, remoteId);
      return kept;
    },
  };
}

const skip = (message: string) => new RunFailure('config', message, { skip: true, retryable: false });

async function findOwner(db: Database, ownerId: string): Promise<RunOwner | null> {
  return (await findUserStanding(db, ownerId)) ?? null;
}

/** The owner's role, or why the owner can no longer run anything. */
function ownerRole(owner: RunOwner | null, ownerId: string): RunOwner['role'] {
  if (!owner) throw skip(`the run's owner (user ${ownerId}) no longer exists`);
  if (owner.disabled) throw skip(`the run's owner (user ${ownerId}) is disabled`);
  if (owner.role === 'viewer') throw skip(`the run's owner (user ${ownerId}) is a viewer and may not run assistants`);
  return owner.role;
}

/**
 * Executes one run of an assistant: checks that the assistant is active and that the run's owner
 * may still run it (otherwise the run is `skipped`, reason `config`), opens the run's session
 * (thread and bounded history, see {@link openRunSession}), calls the runtime for the assistant's
 * kind and records the exchange on the thread. Throws RunFailure for every failure the history
 * records. The result's `threadId` is the thread the run used, or null when it had none or the
 * thread was temporary and has been deleted (the trace keeps its id).
 */
export async function executeAssistant(
  deps: AssistantExecutionDeps,
  run: RunToExecute,
  signal: AbortSignal,
  emit: RunContext['emit'],
  worker?: ExecutingWorker,
): Promise<RunResult> {
  if (!run.assistantId) throw skip('the run names no assistant');
  const assistant = run.preloaded ? run.preloaded.assistant : ((await findAssistant(deps.db, run.assistantId)) ?? null);
  if (!assistant) throw skip(`assistant ${run.assistantId} no longer exists`);
  if (assistant.status !== 'active') throw skip(`assistant "${assistant.name}" is inactive: activate it to run it`);
  const role = ownerRole(run.preloaded ? run.preloaded.owner : await findOwner(deps.db, run.ownerId), run.ownerId);
  if (role !== 'admin' && assistant.ownerId !== run.ownerId && !assistant.builtIn) {
    throw skip(`the run's owner may no longer use assistant "${assistant.name}"`);
  }
  const runtime = runtimesOf(deps).get(assistant.kind);
  if (!runtime)
    throw new RunFailure('config', `no runtime for assistant kind "${assistant.kind}"`, { retryable: false });
  // A run of its own can wait (a workflow step's call cannot: the workflow's wait nodes do that).
  const waits =
    worker && run.idempotencyKey === undefined
      ? await openAgentWaits({
          db: deps.db,
          clock: worker.clock,
          fence: { runId: run.id, workerId: worker.id, attempt: run.attempt },
          input: run.input,
          // A run that never parked has no waits: no read before its call (the claim says which).
          opened: run.hasWaits === true,
        })
      : undefined;

  const session = await openRunSession(
    {
      db: deps.db,
      maxMessages: deps.config?.threadMaxMessages ?? defaultThreadMaxMessages,
      ownerIsAdmin: role === 'admin',
      emit,
    },
    run,
    assistant,
  );
  const schedule =
    run.scheduleId && wantsSchedule(assistant) ? await findRunSchedule(deps.db, run.scheduleId) : undefined;
  const remoteSession = remoteSessionKinds.has(assistant.kind)
    ? await openRemoteSession(deps.db, run.id, session.threadId, assistant.id)
    : undefined;
  let result: RunResult;
  try {
    result = await inAssistantSpan(assistant, () =>
      runtime.run(assistant, {
        runId: run.id,
        ...(run.idempotencyKey !== undefined && { idempotencyKey: run.idempotencyKey }),
        scheduleId: run.scheduleId,
        scheduledFor: run.scheduledFor,
        trigger: run.trigger,
        runNumber: run.runNumber,
        attempt: run.attempt,
        threadId: session.threadId,
        ownerId: run.ownerId,
        ownerRole: role,
        ...(deps.tools && { tools: deps.tools }),
        input: run.input,
        ...(run.config !== undefined && { config: run.config }),
        ...(run.context !== undefined && { context: run.context }),
        history: session.history,
        journal: async () => (await listRunEvents(deps.db, run.id)).map(({ kind, data }) => ({ kind, data })),
        ...(schedule && { schedule }),
        ...(remoteSession && { remoteSession }),
        ...(waits && { waits }),
        ...(run.tokensPerRun !== undefined && { tokensPerRun: run.tokensPerRun }),
        signal,
        logger: deps.logger.child({ run_id: run.id, assistant_id: assistant.id }),
        emit,
      }),
    );
    // The usage an agent reports (http, agentos, langgraph, a2a, an llm's last answer) against tokens_per_run.
    checkTokensPerRun(run.tokensPerRun, result.usage);
  } catch (error) {
    try {
      // A parked run keeps its thread as it is until it resumes; a temporary one goes as usual.
      await (isRunParked(error) ? session.parked() : session.failed(error));
    } catch (cleanup) {
      deps.logger.warn({ err: cleanup, run_id: run.id }, "could not release the run's thread after a failure");
    }
    throw error;
  }
  const threadId = await session.succeeded(result.output);
  return { ...result, threadId };
}
