import { addressGuardFromEnvironment, type AddressGuard } from './address-guard.ts';
import { httpConfigSchema } from './assistant-config.ts';
import { assistantSignal } from './assistant-timeout.ts';
import { resolveConfigValue, type EnvReference } from './env-reference.ts';
import { describeNetworkError, postOutbound, type OutboundResponse } from './outbound-request.ts';
import { usageOfAnswer } from './reported-usage.ts';
import type { Assistant, AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { RunFailure } from './runtime.ts';

const excerptLength = 500;

export function excerpt(text: string): string {
  return text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text;
}

/** Statuses worth another attempt: the endpoint is busy or broken now, not refusing the request. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export interface OutboundRuntimeOptions {
  guard: AddressGuard;
  /** Where `{"env": NAME}` values are read (default `process.env`, at call time). */
  env?: Record<string, string | undefined>;
}

/** A stored config the runtime can use, or a `config` failure saying what is wrong with it. */
export function runtimeConfig<T>(
  assistant: Assistant,
  parse: (config: unknown) => { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } },
): T {
  const parsed = parse(assistant.config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = ['config', ...(issue?.path ?? []).map(String)].join('.');
  throw new RunFailure('config', `assistant "${assistant.name}" has an invalid ${field}: ${issue?.message ?? 'invalid'}`, {
    retryable: false,
  });
}

/** Header values with `{"env": NAME}` replaced by the variable's value. */
export function resolveHeaders(
  headers: Record<string, string | EnvReference> | undefined,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    resolved[name.toLowerCase()] = resolveConfigValue(value, `config.headers.${name}`, env);
  }
  return resolved;
}

/**
 * Sends a POST through the address guard and maps transport problems to RunFailures:
 * a refused private address is `config`, a network error a retryable `assistant_error`,
 * an abort the signal's reason (run timeout, cancel) or the assistant's own `timeout`.
 */
export async function sendOutbound(
  options: OutboundRuntimeOptions,
  request: { url: URL; headers: Record<string, string>; body: string; signal: ReturnType<typeof assistantSignal> },
): Promise<OutboundResponse> {
  const { signal } = request.signal;
  try {
    return await postOutbound({ url: request.url, headers: request.headers, body: request.body, signal, guard: options.guard });
  } catch (error) {
    if (signal.aborted) throw request.signal.reason();
    if ((error as { code?: string }).code === 'EPRIVATEADDRESS') {
      throw new RunFailure('config', (error as Error).message, { retryable: false, cause: error });
    }
    throw new RunFailure('assistant_error', `POST ${request.url.origin}${request.url.pathname} failed: ${describeNetworkError(error)}`, {
      retryable: true,
      cause: error,
    });
  }
}

/**
 * The `http` kind: POSTs the run to `config.url` with the configured headers (values may be
 * `{"env": NAME}`) and `Idempotency-Key: <run id>`. A 2xx answer is success, its body (JSON or
 * text) the output. 408/425/429/5xx and network errors are retryable; other statuses are not.
 * The body carries the thread's `history` when the run continues a thread with messages, and
 * the run's LangGraph `config` and `context` (from its schedule) when it has them.
 */
export function httpAssistantRuntime(options: OutboundRuntimeOptions = { guard: addressGuardFromEnvironment() }): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'http',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => httpConfigSchema.safeParse(value));
      const url = new URL(config.url);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
        ...resolveHeaders(config.headers, env),
        'idempotency-key': context.idempotencyKey ?? context.runId,
      };
      const body = JSON.stringify({
        run_id: context.runId,
        schedule_id: context.scheduleId,
        scheduled_for: context.scheduledFor?.toISOString() ?? null,
        trigger: context.trigger,
        run_number: context.runNumber,
        attempt: context.attempt,
        thread_id: context.threadId,
        input: context.input,
        ...(context.config !== undefined ? { config: context.config } : {}),
        ...(context.context !== undefined ? { context: context.context } : {}),
        ...(context.history.length > 0 ? { history: context.history.map(({ role, content }) => ({ role, content })) } : {}),
      });
      const signal = assistantSignal(context.signal, config.timeout_s);
      const response = await sendOutbound(options, { url, headers, body, signal });
      const where = `POST ${url.origin}${url.pathname}`;
      if (response.status < 200 || response.status >= 300) {
        const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
        throw new RunFailure('assistant_error', `${where} answered ${response.status}${redirect}: ${excerpt(response.text)}`, {
          retryable: isRetryableStatus(response.status),
          details: { status: response.status },
        });
      }
      const type = String(response.headers['content-type'] ?? '');
      if (type.includes('json') && response.text.length > 0) {
        try {
          const answer = JSON.parse(response.text) as unknown;
          const usage = usageOfAnswer(answer);
          return usage ? { output: answer, usage } : { output: answer };
        } catch {
          return { output: response.text };
        }
      }
      return { output: response.text };
    },
  };
}
