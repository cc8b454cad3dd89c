import { addressGuardFromEnvironment } from './address-guard.ts';
import { langgraphConfigSchema } from './assistant-config.ts';
import { assistantSignal, type AssistantSignal } from './assistant-timeout.ts';
import { interruptPrompt, interruptsOf, langgraphWaitStateOf, type LangGraphWaitState } from './langgraph-interrupt.ts';
import {
  excerpt,
  resolveHeaders,
  responseBody,
  runtimeConfig,
  sendOutbound,
  statusFailure,
  type OutboundRuntimeOptions,
} from './http-assistant.ts';
import type { AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** The run's input as a LangGraph run input: an object as is, text as one user message. */
export function graphInput(input: unknown): unknown {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }] };
  if (input === undefined) return null;
  return input;
}

/**
 * The `langgraph` kind: a LangGraph Platform, LangGraph Server or Aegra deployment (or another
 * Kairos, whose LangGraph-compatible routes answer the same way). A stateless run is
 * `POST {base_url}/runs/wait`; a persistent session creates the remote thread once
 * (`POST /threads`, its id kept on the Kairos thread) and then runs `POST /threads/{id}/runs/wait`.
 * The schedule's `config`/`context` (or the assistant's defaults) are passed through; the output
 * is the final state values, or `values[output_key]`. An `__error__` answer is an assistant error.
 * An interrupt (`__interrupt__` in the values) parks a run on a remote thread on an approval; the
 * decision resumes that thread (`command: {resume: <decision>}`). A stateless run cannot resume: it fails.
 */
export function langgraphAssistantRuntime(
  options: OutboundRuntimeOptions = { guard: addressGuardFromEnvironment() },
): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'langgraph',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => langgraphConfigSchema.safeParse(value));
      const base = config.base_url.endsWith('/') ? config.base_url : `${config.base_url}/`;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
        ...resolveHeaders(config.headers, env),
      };
      const signal = assistantSignal(context.signal, config.timeout_s);
      const post = async (path: string, payload: unknown, extraHeaders: Record<string, string> = {}) => {
        const url = new URL(path, base);
        const response = await sendOutbound(
          options,
          {
            url,
            headers: { ...headers, ...extraHeaders },
            body: JSON.stringify(payload),
            signal,
            configuredHeaders: config.headers,
          },
          context,
        );
        const where = `POST ${url.origin}${url.pathname}`;
        if (response.status < 200 || response.status >= 300) throw statusFailure(where, response);
        return { where, body: responseBody(response), text: response.text };
      };

      // A run resumed after its interrupt's wait continues the same remote thread.
      const resumed = context.waits?.resumed;
      const kept = resumed && langgraphWaitStateOf(resumed.state);
      let threadId: string | null = kept?.thread_id ?? null;
      const session = context.remoteSession;
      if (!kept && session?.persistent) {
        if (session.id)
          threadId = await session.keep(session.id); // shown on this run too
        else threadId = await createRemoteThread(post, context, signal);
      }
      const runConfig = context.config ?? config.config;
      const runContext = context.context ?? config.context;
      const assistantId = config.assistant_id ?? config.graph_id;
      const metadata = {
        kairos_run_id: context.runId,
        ...(context.scheduleId && { kairos_schedule_id: context.scheduleId }),
      };
      const payload = {
        assistant_id: assistantId,
        input: graphInput(context.input),
        ...(runConfig !== undefined && { config: runConfig }),
        ...(runContext !== undefined && { context: runContext }),
        metadata,
      };
      /** Resumes the interrupted thread with `command: {resume}` (once per wait: a stable idempotency key). */
      const resume = (thread: string, value: unknown, index: number) =>
        post(
          `threads/${encodeURIComponent(thread)}/runs/wait`,
          {
            assistant_id: assistantId,
            command: { resume: value },
            ...(runConfig !== undefined && { config: runConfig }),
            ...(runContext !== undefined && { context: runContext }),
            metadata,
          },
          { 'idempotency-key': `${context.runId}:resume:${index}` },
        );
      let waits = resumed?.index ?? 0;
      let answer =
        resumed && kept
          ? await resume(kept.thread_id, resumed.result, waits)
          : await post(threadId ? `threads/${encodeURIComponent(threadId)}/runs/wait` : 'runs/wait', payload, {
              'idempotency-key': context.runId,
            });
      for (;;) {
        const interrupt = interruptsOf(answer.body)[0];
        if (!interrupt) break;
        const prompt = interruptPrompt(interrupt);
        if (!threadId) {
          throw new RunFailure(
            'assistant_error',
            `the LangGraph graph interrupted ("${excerpt(prompt)}") but this run has no remote thread to resume: ` +
              'run it on a thread (thread_id, or a schedule with session_mode "persistent")',
            { retryable: false, details: { interrupt: interrupt.value } },
          );
        }
        if (!context.waits) {
          throw new RunFailure(
            'assistant_error',
            `the LangGraph graph interrupted ("${excerpt(prompt)}") and this run cannot wait`,
            {
              retryable: false,
              details: { interrupt: interrupt.value },
            },
          );
        }
        const state: LangGraphWaitState = { langgraph: { thread_id: threadId, interrupt_id: interrupt.id } };
        await context.emit('langgraph.interrupt', { thread_id: threadId, interrupt_id: interrupt.id });
        const decision = await context.waits.wait(
          { approval: { prompt: excerpt(prompt) } },
          { name: assistant.name, state },
        );
        answer = await resume(threadId, decision, ++waits);
      }
      const values = answer.body;
      if (values !== null && typeof values === 'object' && !Array.isArray(values) && '__error__' in values) {
        const error = (values as { __error__: { error?: unknown; message?: unknown } }).__error__;
        throw new RunFailure(
          'assistant_error',
          `the LangGraph run failed: ${String(error?.error ?? 'error')}: ${excerpt(String(error?.message ?? ''))}`,
          {
            retryable: false,
            details: { remote_error: error },
          },
        );
      }
      if (config.output_key === undefined) return { output: values };
      if (values === null || typeof values !== 'object' || !Object.hasOwn(values, config.output_key)) {
        throw new RunFailure(
          'assistant_error',
          `${answer.where} answered without "${config.output_key}" in its state (config.output_key): ${excerpt(answer.text)}`,
          {
            retryable: false,
          },
        );
      }
      return { output: (values as Record<string, unknown>)[config.output_key] };
    },
  };
}

type Post = (path: string, payload: unknown) => Promise<{ where: string; body: unknown; text: string }>;

/** Creates the remote thread of a persistent session and keeps its id (the first one kept wins). */
async function createRemoteThread(post: Post, context: RunContext, signal: AssistantSignal): Promise<string> {
  const created = await post('threads', {
    metadata: { kairos_thread_id: context.threadId, kairos_run_id: context.runId },
  });
  const id = (created.body as { thread_id?: unknown } | null)?.thread_id;
  if (typeof id !== 'string' || id === '') {
    throw new RunFailure('assistant_error', `${created.where} answered without a thread_id: ${excerpt(created.text)}`, {
      retryable: false,
    });
  }
  if (signal.signal.aborted) throw signal.reason();
  const kept = await context.remoteSession!.keep(id);
  await context.emit('langgraph.thread', { thread_id: kept, created: kept === id });
  return kept;
}
