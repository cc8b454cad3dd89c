import { addressGuardFromEnvironment } from './address-guard.ts';
import { llmConfigSchema } from './assistant-config.ts';
import { assistantSignal, type AssistantSignal } from './assistant-timeout.ts';
import { resolveConfigValue } from './env-reference.ts';
import {
  excerpt,
  isRetryableStatus,
  resolveHeaders,
  runtimeConfig,
  sendOutbound,
  type OutboundRuntimeOptions,
} from './http-assistant.ts';
import type { LlmAssistantConfig } from './assistant-config.ts';
import { runToolLoop } from './llm-tool-loop.ts';
import { assistantProvider, configWithProvider, limitedExchange } from './llm-provider.ts';
import type { ProviderLimits } from '../providers/provider-limits.ts';
import { reportedUsage } from './reported-usage.ts';
import type { AssistantRuntime, RunContext, RunResult, ThreadMessage } from './runtime.ts';
import { RunFailure } from '../runs/run-failure.ts';

/** A chat message as the provider takes it; assistant turns may carry tool calls, `tool` turns answer them. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: unknown[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** Message content as a chat provider takes it: strings as they are, anything else as JSON. */
export function chatContent(content: unknown): string {
  return typeof content === 'string' ? content : JSON.stringify(content ?? null);
}

/** The request's messages: system prompt, the thread's history (tool messages left out), the input. */
export function chatMessages(
  systemPrompt: string | undefined,
  history: ReadonlyArray<ThreadMessage>,
  input: unknown,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt) messages.push({ role: 'system', content: systemPrompt });
  for (const message of history) {
    if (message.role === 'tool') continue;
    messages.push({ role: message.role, content: chatContent(message.content) });
  }
  messages.push({ role: 'user', content: chatContent(input) });
  return messages;
}

/** The provider's own explanation in an error answer (OpenAI's `{error:{message}}` and common variants). */
export function providerMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    if (typeof body.error === 'object' && body.error !== null) {
      const message = (body.error as { message?: unknown }).message;
      if (typeof message === 'string' && message) return excerpt(message);
    }
    for (const candidate of [body.error, body.message, body.detail]) {
      if (typeof candidate === 'string' && candidate) return excerpt(candidate);
    }
  } catch {
    // not JSON: the text itself
  }
  return excerpt(text.trim()) || '(empty answer)';
}

interface ChatCompletion {
  choices?: Array<{ message?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
  model?: unknown;
}

/** One answer of the provider: the message (text and/or tool calls), why it stopped, the tokens. */
export interface ChatAnswer {
  content: string | null;
  toolCalls: unknown[];
  finishReason: unknown;
  usage: RunResult['usage'];
}

/** One chat-completions exchange: `body` posted, the answer checked; provider failures as RunFailure. */
export type ChatExchange = (body: Record<string, unknown>) => Promise<ChatAnswer>;

function chatExchange(
  options: OutboundRuntimeOptions,
  config: LlmAssistantConfig,
  signal: AssistantSignal,
  env: Record<string, string | undefined>,
): ChatExchange {
  const url = new URL(`${config.base_url.replace(/\/+$/, '')}/chat/completions`);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...resolveHeaders(config.headers, env),
  };
  if (config.api_key) headers.authorization = `Bearer ${resolveConfigValue(config.api_key, 'config.api_key', env)}`;
  return async (body) => {
    const response = await sendOutbound(options, { url, headers, body: JSON.stringify(body), signal });
    if (response.status < 200 || response.status >= 300) {
      const retryAfter = response.headers['retry-after'];
      throw new RunFailure(
        'assistant_error',
        `${config.model} at ${url.host} answered ${response.status}: ${providerMessage(response.text)}`,
        {
          retryable: isRetryableStatus(response.status),
          details: { status: response.status, ...(retryAfter ? { retry_after: String(retryAfter) } : {}) },
        },
      );
    }
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(response.text) as ChatCompletion;
    } catch {
      throw new RunFailure(
        'assistant_error',
        `${url.host} answered with something other than JSON: ${excerpt(response.text)}`,
        {
          retryable: false,
        },
      );
    }
    const choice = completion.choices?.[0];
    const content = choice?.message?.content;
    if (!choice?.message || (typeof content !== 'string' && content !== null && content !== undefined)) {
      throw new RunFailure(
        'assistant_error',
        `${url.host} answered without choices[0].message.content: ${excerpt(response.text)}`,
        {
          retryable: false,
        },
      );
    }
    const toolCalls = Array.isArray(choice.message.tool_calls) ? (choice.message.tool_calls as unknown[]) : [];
    return {
      content: content ?? null,
      toolCalls,
      finishReason: choice.finish_reason ?? null,
      usage: reportedUsage(completion.usage, completion.model ?? config.model),
    };
  };
}

/**
 * The `llm` kind: one call to an OpenAI-compatible `POST {base_url}/chat/completions` with the
 * system prompt, the thread's history and the run's input as the user message. The reply's
 * text is the output and token usage is recorded on the run. Provider errors become
 * `assistant_error` carrying the provider's message; 408/429/5xx, network errors and timeouts
 * are retryable, other 4xx (bad key, unknown model) are not. A run's LangGraph `config` and
 * `context` (from a cron) are not sent: a chat completion has no place for them. With
 * `config.tools`, Kairos runs the tool-call loop (see {@link runToolLoop}).
 */
export function llmAssistantRuntime(
  options: OutboundRuntimeOptions & { providers?: ProviderLimits } = { guard: addressGuardFromEnvironment() },
): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'llm',
    async run(assistant, context: RunContext): Promise<RunResult> {
      // A provider it names gives the base URL and key, and its limits hold each call (llm-provider.ts).
      const provider = options.providers ? await assistantProvider(options.providers, assistant) : undefined;
      const config = runtimeConfig(provider ? configWithProvider(assistant, provider) : assistant, (value) =>
        llmConfigSchema.safeParse(value),
      );
      const signal = assistantSignal(context.signal, config.timeout_s);
      const direct = chatExchange(options, config, signal, env);
      const exchange = provider ? limitedExchange(direct, options.providers!, provider, context.signal) : direct;
      const messages = chatMessages(config.system_prompt, context.history, context.input);
      const request = {
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        ...(config.max_tokens !== undefined ? { max_tokens: config.max_tokens } : {}),
      };
      if ((config.tools && config.tools.length > 0) || config.request_approval)
        return runToolLoop({ assistant, config, context, exchange, messages, request });
      await context.emit('llm.request', {
        model: config.model,
        messages: messages.length,
        history: context.history.length,
      });
      const answer = await exchange({ model: config.model, messages, ...request });
      await context.emit('llm.response', { finish_reason: answer.finishReason, usage: answer.usage ?? null });
      return { output: answer.content ?? '', usage: answer.usage };
    },
  };
}
