import type { Logger } from '../logger.ts';
import type { RunResult, ThreadMessage } from './runtime.ts';
import type { Trigger } from '../runs/run-status.ts';

/** What a module assistant's `run` receives besides its input. */
export interface ModuleRunContext {
  /** Earlier messages of the run's thread (bounded by KAIROS_THREAD_MAX_MESSAGES), oldest first. */
  history: ReadonlyArray<ThreadMessage>;
  run: {
    id: string;
    scheduleId: string | null;
    scheduledFor: Date | null;
    trigger: Trigger;
    runNumber: number | null;
    attempt: number;
    threadId: string | null;
    /** The user the run acts as. */
    ownerId: string | null;
    /** The same on every attempt of this call: the run id, or `<run id>:<step key>` for a workflow step. */
    idempotencyKey: string;
  };
  assistant: { id: string; name: string };
  /** `config.options` of the assistant that names this module. */
  options: Readonly<Record<string, unknown>>;
  /**
   * The run's LangGraph `config` (`configurable`, `tags`, `recursion_limit`, …): a LangGraph cron's
   * payload `config` applied to every run of its schedule, or the run's own (given through
   * `/runs/wait` or `POST /api/v1/runs`, which wins). Absent when neither gave one.
   */
  config?: Readonly<Record<string, unknown>>;
  /** The run's LangGraph `context` (its own, else its cron's payload `context`); absent when none. */
  context?: unknown;
  /** Aborted on timeout, cancellation or shutdown: stop promptly when it fires. */
  signal: AbortSignal;
  logger: Logger;
  /** Appends an event to the run's trace. */
  emit(kind: string, data?: unknown): Promise<void>;
  /** Records token usage on the run (for modules that call a model themselves). */
  recordUsage(usage: NonNullable<RunResult['usage']>): void;
}

/** A module assistant: a function registered in the config file under a stable id. */
export interface AssistantDefinition<Input = unknown, Output = unknown> {
  /** What `{"kind":"module","config":{"module":"<id>"}}` names. Letters, digits, `.`, `_`, `-`. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  /** Turns the run's input into its output (any JSON value). Throw to fail the run. */
  run(input: Input, ctx: ModuleRunContext): Output | Promise<Output>;
}

const brand = Symbol.for('kairos.assistant-definition');
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Declares a module assistant for the config file.
 *
 * @example
 * // kairos.config.ts
 * import { defineAssistant } from 'kairos';
 * export default {
 *   assistants: [
 *     defineAssistant({
 *       id: 'echo',
 *       name: 'Echo',
 *       run: (input, ctx) => ({ echoed: input, previous: ctx.history.length }),
 *     }),
 *   ],
 * };
 */
export function defineAssistant<Input = unknown, Output = unknown>(
  definition: AssistantDefinition<Input, Output>,
): AssistantDefinition<Input, Output> {
  assertDefinition(definition);
  return Object.freeze({ ...definition, [brand]: true });
}

/** Throws a message naming what is wrong with a would-be definition. */
export function assertDefinition(value: unknown, where = 'defineAssistant'): asserts value is AssistantDefinition {
  const candidate = value as Partial<AssistantDefinition> | null;
  if (typeof candidate !== 'object' || candidate === null)
    throw new Error(`${where}: expected an object with id, name and run`);
  if (typeof candidate.id !== 'string' || !idPattern.test(candidate.id)) {
    throw new Error(
      `${where}: id must be letters, digits, ".", "_" or "-" (at most 100), got ${JSON.stringify(candidate.id)}`,
    );
  }
  if (typeof candidate.name !== 'string' || candidate.name.trim() === '') {
    throw new Error(`${where}: assistant "${candidate.id}" needs a name`);
  }
  if (typeof candidate.run !== 'function')
    throw new Error(`${where}: assistant "${candidate.id}" needs a run(input, ctx) function`);
}

/** Whether a value came from defineAssistant (across module copies: the brand is a global symbol). */
export function isAssistantDefinition(value: unknown): value is AssistantDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
