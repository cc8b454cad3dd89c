import type { Logger } from '../logger.ts';
import { findAssistant } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { httpAssistantRuntime } from './http-assistant.ts';
import type { AssistantRuntime, RunContext, RunResult, Trigger } from './runtime.ts';
import { RunFailure } from './runtime.ts';

export interface AssistantExecutionDeps {
  db: Database;
  logger: Logger;
  runtimes?: ReadonlyMap<string, AssistantRuntime>;
}

/** The run as the worker hands it over for execution. */
export interface RunToExecute {
  id: string;
  assistantId: string | null;
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
  input: unknown;
}

export function defaultRuntimes(): Map<string, AssistantRuntime> {
  return new Map<string, AssistantRuntime>([['http', httpAssistantRuntime()]]);
}

/**
 * Executes one run of an assistant: resolves the assistant (only active ones run), picks the
 * runtime for its kind and calls it. Throws RunFailure for every failure the history records.
 */
export async function executeAssistant(
  deps: AssistantExecutionDeps,
  run: RunToExecute,
  signal: AbortSignal,
  emit: RunContext['emit'],
): Promise<RunResult> {
  if (!run.assistantId) throw new RunFailure('config', 'the run names no assistant', { skip: true, retryable: false });
  const assistant = await findAssistant(deps.db, run.assistantId);
  if (!assistant) {
    throw new RunFailure('config', `assistant ${run.assistantId} no longer exists`, { skip: true, retryable: false });
  }
  if (assistant.status !== 'active') {
    throw new RunFailure('config', `assistant "${assistant.name}" is inactive: activate it to run it`, {
      skip: true,
      retryable: false,
    });
  }
  const runtime = (deps.runtimes ?? defaultRuntimes()).get(assistant.kind);
  if (!runtime) {
    throw new RunFailure('config', `no runtime for assistant kind "${assistant.kind}"`, { retryable: false });
  }
  return runtime.run(assistant, {
    runId: run.id,
    scheduleId: run.scheduleId,
    scheduledFor: run.scheduledFor,
    trigger: run.trigger,
    runNumber: run.runNumber,
    attempt: run.attempt,
    threadId: run.threadId,
    input: run.input,
    history: [],
    signal,
    logger: deps.logger.child({ run_id: run.id, assistant_id: assistant.id }),
    emit,
  });
}
