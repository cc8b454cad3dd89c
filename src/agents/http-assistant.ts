import { addressGuardFromEnvironment, type AddressGuard } from './address-guard.ts';
import { httpConfigSchema } from './assistant-config.ts';
import { assistantSignal } from './assistant-timeout.ts';
import { resolveConfigValue, type EnvReference } from './env-reference.ts';
import { reportExchange } from './agent-exchange.ts';
import { resolveJsonPointer } from './json-pointer.ts';
import { describeNetworkError, postOutbound, type OutboundMethod, type OutboundResponse } from './outbound-request.ts';
import { askedWait, waitForAgent, withResume } from './http-agent-wait.ts';
import { renderRequestTemplate } from './request-template.ts';
import { usageOfAnswer } from './reported-usage.ts';
import type { Assistant, AssistantRuntime, RunContext, RunResult } from './runtime.ts';
import { RunFailure } from '../runs/run-failure.ts';

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

/** Parsed configs by the config object they came from (a new assistant row is a new object). */
const parsedConfigs = new WeakMap<object, { kind: string; data: unknown }>();

/** A stored config the runtime can use, or a `config` failure saying what is wrong with it. */
export function runtimeConfig<T>(
  assistant: Assistant,
  parse: (
    config: unknown,
  ) =>
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } },
): T {
  // An assistant read once and called many times (a workflow's steps) is parsed once.
  const cached = parsedConfigs.get(assistant.config);
  if (cached?.kind === assistant.kind) return cached.data as T;
  const parsed = parse(assistant.config);
  if (parsed.success) {
    if (typeof assistant.config === 'object' && assistant.config !== null)
      parsedConfigs.set(assistant.config, { kind: assistant.kind, data: parsed.data });
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const field = ['config', ...(issue?.path ?? []).map(String)].join('.');
  throw new RunFailure(
    'config',
    `assistant "${assistant.name}" has an invalid ${field}: ${issue?.message ?? 'invalid'}`,
    {
      retryable: false,
    },
  );
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

/** One outbound request of a runtime: where, how, and the config headers (for redaction in test calls). */
export interface RuntimeRequest {
  method?: OutboundMethod;
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: ReturnType<typeof assistantSignal>;
  /** The assistant's configured headers: those given as `{"env": NAME}` are redacted in test calls. */
  configuredHeaders?: Record<string, string | EnvReference>;
}

/**
 * Sends a request through the address guard and maps transport problems to RunFailures:
 * a refused private address is `config`, a network error a retryable `assistant_error`,
 * an abort the signal's reason (run timeout, cancel) or the assistant's own `timeout`.
 * `context.onExchange` (a test call) sees the request and its answer.
 */
export async function sendOutbound(
  options: OutboundRuntimeOptions,
  request: RuntimeRequest,
  context: Pick<RunContext, 'onExchange'> = {},
): Promise<OutboundResponse> {
  const { signal } = request.signal;
  const method = request.method ?? 'POST';
  const shown = { method, url: request.url, headers: request.headers, body: method === 'GET' ? '' : request.body };
  try {
    const response = await postOutbound({
      method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      signal,
      guard: options.guard,
    });
    reportExchange(context, request.configuredHeaders, shown, response);
    return response;
  } catch (error) {
    reportExchange(context, request.configuredHeaders, shown, { error });
    if (signal.aborted) throw request.signal.reason();
    if ((error as { code?: string }).code === 'EPRIVATEADDRESS') {
      throw new RunFailure('config', (error as Error).message, { retryable: false, cause: error });
    }
    throw new RunFailure(
      'assistant_error',
      `${method} ${request.url.origin}${request.url.pathname} failed: ${describeNetworkError(error)}`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
}

/** A non-2xx answer as the RunFailure it means (408/425/429/5xx retryable). */
export function statusFailure(where: string, response: OutboundResponse): RunFailure {
  const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
  return new RunFailure(
    'assistant_error',
    `${where} answered ${response.status}${redirect}: ${excerpt(response.text)}`,
    {
      retryable: isRetryableStatus(response.status),
      details: { status: response.status },
    },
  );
}

/** The answer's body: parsed JSON when it says it is JSON (and parses), the text otherwise. */
export function responseBody(response: OutboundResponse): unknown {
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('json') && response.text.length > 0) {
    try {
      return JSON.parse(response.text) as unknown;
    } catch {
      return response.text;
    }
  }
  return response.text;
}

/** Kairos's own run body, sent when `config.body` is not set. */
function defaultBody(context: RunContext): Record<string, unknown> {
  return {
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
  };
}

/** A form field's value: text as is, anything else as JSON (null and absent as empty). */
function formValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Encodes an object as `application/x-www-form-urlencoded` (arrays repeat their field). */
export function formBody(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) form.append(name, formValue(item));
    else form.append(name, formValue(value));
  }
  return form.toString();
}

/**
 * The `http` kind: sends the run to `config.url` (`method`, default POST) with the configured
 * headers (values may be `{"env": NAME}`) and `Idempotency-Key: <run id>`. The body is Kairos's
 * run body (run id, input, history, config/context) unless `config.body` gives a template, sent
 * as JSON or, with `format: "form"`, as a form; `config.query` adds templated query parameters.
 * A 2xx answer is success; its body (JSON or text), or the part `config.output` points to, is
 * the output. 408/425/429/5xx and network errors are retryable; other statuses are not. A `202`
 * with `{"wait": …}` parks the run; when the wait ends the agent is called again with the same
 * run id and idempotency key and `resume` (the decision, the event or `{woke_at}`) in the body.
 */
export function httpAssistantRuntime(
  options: OutboundRuntimeOptions = { guard: addressGuardFromEnvironment() },
): AssistantRuntime {
  const env = options.env ?? process.env;
  return {
    kind: 'http',
    async run(assistant, context: RunContext): Promise<RunResult> {
      const config = runtimeConfig(assistant, (value) => httpConfigSchema.safeParse(value));
      const method = config.method ?? 'POST';
      const templateContext = { ...context, now: new Date() };
      const url = new URL(config.url);
      for (const [name, template] of Object.entries(config.query ?? {})) {
        const value = renderRequestTemplate(template, templateContext);
        url.searchParams.set(name, typeof value === 'string' ? value : formValue(value));
      }
      const form = config.format === 'form';
      const headers: Record<string, string> = {
        ...(method === 'GET'
          ? {}
          : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
        ...resolveHeaders(config.headers, env),
        'idempotency-key': context.idempotencyKey ?? context.runId,
      };
      const rendered =
        config.body === undefined ? defaultBody(context) : renderRequestTemplate(config.body, templateContext);
      const signal = assistantSignal(context.signal, config.timeout_s);
      const where = `${method} ${url.origin}${url.pathname}`;
      // A run resumed after its wait calls the agent again with `resume` (docs/assistants.md).
      let resume: { result: unknown } | undefined = context.waits?.resumed && { result: context.waits.resumed.result };
      let response: OutboundResponse;
      let answer: unknown;
      for (;;) {
        const payload = resume ? withResume(rendered, resume.result) : rendered;
        if (resume && method === 'GET') url.searchParams.set('resume', JSON.stringify(resume.result ?? null));
        const body =
          method === 'GET' ? '' : form ? formBody(payload as Record<string, unknown>) : JSON.stringify(payload ?? null);
        response = await sendOutbound(
          options,
          { method, url, headers, body, signal, configuredHeaders: config.headers },
          context,
        );
        if (response.status < 200 || response.status >= 300) throw statusFailure(where, response);
        answer = responseBody(response);
        const wait = askedWait(response.status, answer, where);
        if (!wait) break;
        resume = { result: await waitForAgent(context, wait, assistant.name) };
      }
      const usage = typeof answer === 'object' && answer !== null ? usageOfAnswer(answer) : undefined;
      if (config.output === undefined) return usage ? { output: answer, usage } : { output: answer };
      const picked = resolveJsonPointer(answer, config.output);
      if (!picked.found) {
        throw new RunFailure(
          'assistant_error',
          `${where} answered without ${picked.missing} (config.output is "${config.output}"): ${excerpt(response.text)}`,
          {
            retryable: false,
            details: { output: config.output, missing: picked.missing },
          },
        );
      }
      return usage ? { output: picked.value, usage } : { output: picked.value };
    },
  };
}
