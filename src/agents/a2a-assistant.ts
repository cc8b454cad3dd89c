import { Role, TaskState, type Artifact, type Message, type Part, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { addressGuardFromEnvironment } from './address-guard.ts';
import { reportExchange } from './agent-exchange.ts';
import { a2aConfigSchema } from './assistant-config.ts';
import { assistantSignal } from './assistant-timeout.ts';
import { createGuardedFetch } from './guarded-fetch.ts';
import { excerpt, resolveHeaders, runtimeConfig, type OutboundRuntimeOptions } from './http-assistant.ts';
import { describeNetworkError } from './outbound-request.ts';
import type { AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { a2aWaitStateOf, answerMessage, type A2aWaitState } from './a2a-agent-wait.ts';
import { RunFailure, asRunFailure } from '../runs/run-failure.ts';

/** How long a message/send may go on after the run was cancelled or timed out. */
const sendGraceMs = 10_000;

const terminal = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);
const interrupted = new Map([
  [TaskState.TASK_STATE_INPUT_REQUIRED, 'input-required'],
  [TaskState.TASK_STATE_AUTH_REQUIRED, 'auth-required'],
]);
const stateNames: Record<number, string> = {
  [TaskState.TASK_STATE_SUBMITTED]: 'submitted',
  [TaskState.TASK_STATE_WORKING]: 'working',
  [TaskState.TASK_STATE_COMPLETED]: 'completed',
  [TaskState.TASK_STATE_FAILED]: 'failed',
  [TaskState.TASK_STATE_CANCELED]: 'canceled',
  [TaskState.TASK_STATE_REJECTED]: 'rejected',
  [TaskState.TASK_STATE_INPUT_REQUIRED]: 'input-required',
  [TaskState.TASK_STATE_AUTH_REQUIRED]: 'auth-required',
};
const stateName = (state: TaskState | undefined) =>
  state === undefined ? 'unknown' : (stateNames[state] ?? `state ${state}`);

function part(content: Part['content'], mediaType: string): Part {
  return { content, metadata: undefined, filename: '', mediaType };
}

/**
 * The run's input as an A2A message: a text part (text as is, JSON as its text) and, for JSON
 * input, a data part carrying the value itself (an array or a scalar as `{"value": …}`, since a
 * data part holds an object in v0.3). `messageId` is the run id, so a re-executed run is the same
 * message; `contextId` continues the remote conversation when there is one.
 */
export function inputMessage(input: unknown, runId: string, contextId: string | null): Message {
  const parts: Part[] = [];
  if (typeof input === 'string') parts.push(part({ $case: 'text', value: input }, 'text/plain'));
  else if (input !== null && input !== undefined) {
    parts.push(part({ $case: 'text', value: JSON.stringify(input) }, 'text/plain'));
    const data = typeof input === 'object' && !Array.isArray(input) ? input : { value: input };
    parts.push(part({ $case: 'data', value: data }, 'application/json'));
  } else parts.push(part({ $case: 'text', value: '' }, 'text/plain'));
  return {
    messageId: runId,
    contextId: contextId ?? '',
    taskId: '',
    role: Role.ROLE_USER,
    parts,
    metadata: { kairos_run_id: runId },
    extensions: [],
    referenceTaskIds: [],
  };
}

/** A part as a plain value: text as text, data as its value, files as a small description. */
function partValue(value: Part): unknown {
  const content = value.content;
  switch (content?.$case) {
    case 'text':
      return content.value;
    case 'data':
      return content.value ?? null;
    case 'url':
      return { url: content.value, media_type: value.mediaType || null, filename: value.filename || null };
    case 'raw':
      return {
        bytes_base64: Buffer.from(content.value).toString('base64'),
        media_type: value.mediaType || null,
        filename: value.filename || null,
      };
    default:
      return null;
  }
}

/** The text of a status message (the reason a task failed), if it has any. */
function messageText(message: Message | undefined): string {
  return (message?.parts ?? [])
    .map((entry) => (entry.content?.$case === 'text' ? entry.content.value : ''))
    .filter(Boolean)
    .join(' ');
}

/**
 * A run's output from A2A parts: one part is its value; several are a list; artifacts are
 * `{artifacts: [{name, description, parts}]}` unless there is exactly one part in all of them.
 */
export function artifactsOutput(artifacts: Artifact[], fallback: Message | undefined): unknown {
  const parts = artifacts.flatMap((artifact) => artifact.parts);
  if (artifacts.length === 0) return fallback ? partsOutput(fallback.parts) : null;
  if (parts.length === 1) return partValue(parts[0]!);
  return {
    artifacts: artifacts.map((artifact) => ({
      artifact_id: artifact.artifactId,
      name: artifact.name || null,
      description: artifact.description || null,
      parts: artifact.parts.map(partValue),
    })),
  };
}

function partsOutput(parts: Part[]): unknown {
  if (parts.length === 0) return null;
  return parts.length === 1 ? partValue(parts[0]!) : parts.map(partValue);
}

function isTask(result: Message | Task): result is Task {
  return 'status' in result && 'artifacts' in result;
}

/** The first EPRIVATEADDRESS (or other coded) error in a cause chain. */
function codeInChain(error: unknown): { code?: string; message?: string } | undefined {
  let current = error as { code?: string; message?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    if (typeof current.code === 'string') return current;
    current = current.cause as typeof current;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The `a2a` kind: any Agent2Agent agent, through the official `@a2a-js/sdk` client. The client
 * reads the agent card (`agent_card_url`, or `url` + `/.well-known/agent-card.json`) and speaks
 * the protocol version and transport it declares (JSON-RPC or HTTP+JSON; v1.0, and v0.3 agents
 * through the SDK's compatibility layer). Every request goes through the address guard and
 * carries the configured headers.
 *
 * The input is sent as one message (see {@link inputMessage}); the A2A `contextId` is the
 * session. A Message answer is the output at once; a Task is polled until it is completed
 * (artifacts → output), failed or rejected (`assistant_error` with the agent's reason) or
 * canceled (the run is `cancelled`); `input-required` and `auth-required` end the run as an
 * `assistant_error` naming the state. When the run is cancelled or times out, the remote task is
 * cancelled too.
 */
export function a2aAssistantRuntime(
  options: OutboundRuntimeOptions = { guard: addressGuardFromEnvironment() },
): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'a2a',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => a2aConfigSchema.safeParse(value));
      const headers = resolveHeaders(config.headers, env);
      const signal = assistantSignal(context.signal, config.timeout_s);
      // Requests follow the run's signal, except the cancel sent after it fired (its own deadline).
      let requestSignal = signal.signal;
      const guarded = createGuardedFetch(options.guard, new AbortController().signal);
      const fetchImpl: typeof fetch = async (input, init) => {
        const merged = new Headers(init?.headers);
        for (const [name, value] of Object.entries(headers)) merged.set(name, value);
        const request = new Request(input, { ...init, headers: merged, signal: requestSignal });
        const body = request.method === 'GET' ? '' : await request.clone().text();
        const shown = { method: request.method, url: new URL(request.url), headers: Object.fromEntries(merged), body };
        try {
          const response = await guarded(request);
          if (context.onExchange) {
            const text = await response.clone().text();
            reportExchange(context, config.headers, shown, {
              status: response.status,
              headers: Object.fromEntries(response.headers),
              text,
            });
          }
          return response;
        } catch (error) {
          reportExchange(context, config.headers, shown, { error });
          throw error;
        }
      };
      const compat = { legacyCompat: { enabled: true } };
      const factory = new ClientFactory({
        transports: [
          new JsonRpcTransportFactory({ fetchImpl, ...compat }),
          new RestTransportFactory({ fetchImpl, ...compat }),
        ],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl, ...compat }),
      });
      const failure = (error: unknown, action: string): unknown => {
        if (signal.signal.aborted) return signal.reason();
        const known = asRunFailure(error);
        if (known) return known;
        const coded = codeInChain(error);
        if (coded?.code === 'EPRIVATEADDRESS')
          return new RunFailure('config', coded.message ?? 'private address refused', {
            retryable: false,
            cause: error,
          });
        return new RunFailure('assistant_error', `A2A ${action} failed: ${excerpt(describeNetworkError(error))}`, {
          retryable: true,
          cause: error,
        });
      };

      let client: Client;
      try {
        client = config.agent_card_url
          ? await factory.createFromUrl(config.agent_card_url, '')
          : await factory.createFromUrl(config.url!);
      } catch (error) {
        throw failure(error, `reading the agent card of ${config.agent_card_url ?? config.url}`);
      }
      const contextId = context.remoteSession?.id ?? null;
      // A run resumed after its input-required wait answers the same task in the same context.
      const resumed = context.waits?.resumed;
      const kept = resumed && a2aWaitStateOf(resumed.state);
      let answered = kept?.status_at;
      let message =
        resumed && kept
          ? answerMessage(inputMessage(resumed.result, context.runId, kept.context_id), kept, resumed.index)
          : inputMessage(context.input, context.runId, contextId);
      let waits = resumed?.index ?? 0;
      for (;;) {
        const outcome = await sendAndPoll(message, answered);
        if (!('id' in outcome)) return outcome;
        const task = outcome;
        if (task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED || !context.waits)
          return taskOutcome(task, context);
        const state: A2aWaitState = {
          a2a: { task_id: task.id, context_id: task.contextId, status_at: task.status?.timestamp ?? '' },
        };
        const prompt = messageText(task.status?.message) || `the A2A agent asks for input on task ${task.id}`;
        await context.emit('a2a.task.input_required', { task_id: task.id, context_id: task.contextId || null });
        const answer = await context.waits.wait(
          { approval: { prompt: excerpt(prompt) } },
          { name: assistant.name, state },
        );
        message = answerMessage(inputMessage(answer, context.runId, task.contextId), state.a2a, ++waits);
        answered = state.a2a.status_at;
      }

      /** Sends one message; a Message answer is the run's result, a Task is polled until it ends or stops. */
      async function sendAndPoll(toSend: Message, answered?: string): Promise<RunResult | Task> {
        // The send is not cut off when the run stops (within a grace period): the task it creates
        // must be known to be cancelled. An agent that never answers still releases the run.
        const sendAbort = new AbortController();
        const cutSend = () => setTimeout(() => sendAbort.abort(signal.signal.reason), sendGraceMs).unref();
        signal.signal.addEventListener('abort', cutSend, { once: true });
        requestSignal = sendAbort.signal;
        let result: Message | Task;
        try {
          result = await client.sendMessage({
            tenant: '',
            message: toSend,
            configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true },
            metadata: undefined,
          });
        } catch (error) {
          throw failure(error, 'message/send');
        } finally {
          signal.signal.removeEventListener('abort', cutSend);
          requestSignal = signal.signal;
        }
        const keepContext = async (id: string) => {
          if (id && context.remoteSession) await context.remoteSession.keep(id);
        };
        if (!isTask(result)) {
          if (signal.signal.aborted) throw signal.reason();
          await keepContext(result.contextId);
          await context.emit('a2a.message', { context_id: result.contextId || null, message_id: result.messageId });
          return { output: partsOutput(result.parts) };
        }

        let task = result;
        await keepContext(task.contextId);
        await context.emit('a2a.task', {
          task_id: task.id,
          context_id: task.contextId || null,
          state: stateName(task.status?.state),
        });
        const pollMs = Math.round((config.poll_interval_s ?? 1) * 1000);
        try {
          // The task as it stood when answered (before the agent took the answer) is not an answer.
          while (
            !terminal.has(task.status?.state as TaskState) &&
            (!interrupted.has(task.status?.state as TaskState) ||
              (answered !== undefined && task.status?.timestamp === answered))
          ) {
            if (signal.signal.aborted) break;
            await sleep(pollMs, signal.signal);
            if (signal.signal.aborted) break;
            try {
              task = await client.getTask({ tenant: '', id: task.id, historyLength: 0 });
            } catch (error) {
              throw failure(error, `tasks/get ${task.id}`);
            }
          }
          if (signal.signal.aborted) throw signal.reason();
        } catch (error) {
          if (signal.signal.aborted && !terminal.has(task.status?.state as TaskState))
            await cancelRemoteTask(client, task, context, (next) => (requestSignal = next));
          throw error;
        }
        return task;
      }
    },
  };
}

/** Cancels the remote task after the run was cancelled or timed out (best effort, 5 s). */
async function cancelRemoteTask(
  client: Client,
  task: Task,
  context: RunContext,
  useSignal: (next: AbortSignal) => void,
) {
  useSignal(AbortSignal.timeout(5_000));
  try {
    const canceled = await client.cancelTask({ tenant: '', id: task.id, metadata: undefined });
    await context.emit('a2a.task.cancelled', { task_id: task.id, state: stateName(canceled.status?.state) });
  } catch (error) {
    context.logger.warn({ err: error, task_id: task.id }, 'could not cancel the remote A2A task');
    await context.emit('a2a.task.cancel_failed', { task_id: task.id, error: describeNetworkError(error) });
  }
}

/** The run's outcome from a task that ended (or stopped for input). */
async function taskOutcome(task: Task, context: RunContext): Promise<RunResult> {
  const state = task.status?.state;
  const reason = messageText(task.status?.message);
  const details = { task_id: task.id, context_id: task.contextId || null, state: stateName(state) };
  await context.emit('a2a.task.finished', details);
  if (state === TaskState.TASK_STATE_COMPLETED)
    return { output: artifactsOutput(task.artifacts, task.status?.message) };
  if (state === TaskState.TASK_STATE_CANCELED) {
    throw new RunFailure('cancelled', `the A2A agent canceled task ${task.id}${reason ? `: ${excerpt(reason)}` : ''}`, {
      retryable: false,
      details,
    });
  }
  const interruption = state === undefined ? undefined : interrupted.get(state);
  if (interruption) {
    throw new RunFailure(
      'assistant_error',
      `the A2A task ${task.id} stopped in state ${interruption}${reason ? `: ${excerpt(reason)}` : ''}; Kairos runs cannot answer it`,
      { retryable: false, details },
    );
  }
  throw new RunFailure(
    'assistant_error',
    `the A2A task ${task.id} ${stateName(state)}${reason ? `: ${excerpt(reason)}` : ''}`,
    {
      retryable: false,
      details,
    },
  );
}
