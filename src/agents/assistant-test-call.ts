import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import type { AgentExchange } from './agent-exchange.ts';
import type { AssistantDraftInput, AssistantService } from './assistant-service.ts';
import { runtimeFor, type AssistantExecutionDeps } from './execute-assistant.ts';
import { remoteSessionKinds, type Assistant, type RemoteSession } from './runtime.ts';
import { RunFailure, asRunFailure } from '../runs/run-failure.ts';

/** What a test call shows: the outcome, every request sent and its answer (secrets redacted), and the trace. */
export interface TestCallResult {
  ok: boolean;
  output: unknown;
  error: { kind: string; message: string } | null;
  duration_ms: number;
  exchanges: AgentExchange[];
  events: Array<{ kind: string; data: unknown }>;
}

/** How long a test call may take (a scheduled run has its own timeout; a test call waits on a person). */
const testCallTimeoutMs = 60_000;

/**
 * Test calls: run an assistant once, outside the run engine (no run, no thread, no schedule is
 * created), and show the raw requests and answers, so that a remote agent can be checked before
 * it is scheduled. A saved assistant may be tested by its owner (admins: any); a draft
 * (`{kind, config}`) is validated as at save time first.
 *
 * @example
 * const calls = createAssistantTestCalls({ assistants, execution });
 * const result = await calls.testDraft(actor, { kind: 'http', config: { url } }, { hello: 'world' });
 */
export function createAssistantTestCalls(options: { assistants: AssistantService; execution: AssistantExecutionDeps }) {
  const { assistants, execution } = options;

  async function call(
    actor: Actor,
    assistant: Assistant,
    input: unknown,
    signal?: AbortSignal,
  ): Promise<TestCallResult> {
    const exchanges: AgentExchange[] = [];
    const events: TestCallResult['events'] = [];
    const started = Date.now();
    const timeout = AbortSignal.timeout(testCallTimeoutMs);
    const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
    // The run signal aborts with a RunFailure, as the worker's does, so runtimes report it as such.
    const controller = new AbortController();
    const onStop = () =>
      controller.abort(
        timeout.aborted
          ? new RunFailure('timeout', `the test call did not finish within ${testCallTimeoutMs / 1000}s`, {
              retryable: false,
            })
          : new RunFailure('cancelled', 'the caller went away', { retryable: false }),
      );
    stop.addEventListener('abort', onStop, { once: true });
    const remoteSession: RemoteSession = { id: null, persistent: false, keep: async (id) => id };
    try {
      const runtime = runtimeFor(execution, assistant.kind);
      if (!runtime)
        throw new RunFailure('config', `assistant kind "${assistant.kind}" cannot be test-called on this server`, {
          retryable: false,
        });
      const result = await runtime.run(assistant, {
        runId: randomUUID(),
        scheduleId: null,
        scheduledFor: null,
        trigger: 'manual',
        runNumber: null,
        attempt: 1,
        threadId: null,
        ownerId: actor.userId,
        input,
        history: [],
        ...(remoteSessionKinds.has(assistant.kind) && { remoteSession }),
        signal: controller.signal,
        logger: execution.logger.child({ test_call: true, assistant_id: assistant.id }),
        emit: async (kind, data) => {
          events.push({ kind, data: data ?? null });
        },
        onExchange: (exchange) => exchanges.push(exchange),
      });
      return {
        ok: true,
        output: result.output ?? null,
        error: null,
        duration_ms: Date.now() - started,
        exchanges,
        events,
      };
    } catch (error) {
      const failure = asRunFailure(error);
      return {
        ok: false,
        output: null,
        error: {
          kind: failure?.kind ?? 'assistant_error',
          message: failure?.message ?? (error as Error).message ?? String(error),
        },
        duration_ms: Date.now() - started,
        exchanges,
        events,
      };
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  }

  return {
    /** Runs a saved assistant once (owner or admin). */
    async testSaved(actor: Actor, id: string, input: unknown, signal?: AbortSignal): Promise<TestCallResult> {
      return call(actor, await assistants.assertTestable(actor, id), input, signal);
    },
    /** Runs an unsaved `{kind, config}` once, after the checks of saving it. */
    async testDraft(
      actor: Actor,
      draft: AssistantDraftInput,
      input: unknown,
      signal?: AbortSignal,
    ): Promise<TestCallResult> {
      return call(actor, await assistants.draft(actor, draft), input, signal);
    },
  };
}

export type AssistantTestCalls = ReturnType<typeof createAssistantTestCalls>;
