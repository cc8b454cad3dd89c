import { addressGuardFromEnvironment } from './address-guard.ts';
import { langgraphConfigSchema } from './assistant-config.ts';
import { assistantSignal, type AssistantSignal } from './assistant-timeout.ts';
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

      let threadId: string | null = null;
      const session = context.remoteSession;
      if (session?.persistent) {
        if (session.id)
          threadId = await session.keep(session.id); // shown on this run too
        else threadId = await createRemoteThread(post, context, signal);
      }
      const runConfig = context.config ?? config.config;
      const runContext = context.context ?? config.context;
      const payload = {
        assistant_id: config.assistant_id ?? config.graph_id,
        input: graphInput(context.input),
        ...(runConfig !== undefined && { config: runConfig }),
        ...(runContext !== undefined && { context: runContext }),
        metadata: {
          kairos_run_id: context.runId,
          ...(context.scheduleId && { kairos_schedule_id: context.scheduleId }),
        },
      };
      const answer = await post(threadId ? `threads/${encodeURIComponent(threadId)}/runs/wait` : 'runs/wait', payload, {
        'idempotency-key': context.runId,
      });
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
