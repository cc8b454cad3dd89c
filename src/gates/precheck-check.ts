import type { AddressGuard } from '../agents/address-guard.ts';
import { postOutbound } from '../agents/outbound-request.ts';
import { compileCondition, precheckTimeoutMs, type Precheck } from './precheck-spec.ts';

/** What a precheck's http request answered, as the condition sees it. */
export interface PrecheckResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed as JSON when it is JSON, the text otherwise. */
  body: unknown;
}

/** The variables besides `response`: the previous finished run, the previous response body, the fire time, the input. */
export interface PrecheckFacts {
  last_run: { status: string; output: unknown; finished_at: string | null } | null;
  last_precheck: unknown;
  fire_at: Date;
  input: unknown;
}

/** A precheck's outcome: `verdict` is null when it failed (`error` says why). */
export interface PrecheckOutcome {
  verdict: boolean | null;
  response: PrecheckResponse | null;
  ms: number;
  error: string | null;
  /** Whether the failure was the timeout. */
  timedOut: boolean;
}

export interface PrecheckRunDeps {
  guard: AddressGuard;
  /** Where `{"env": NAME}` header values are read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Stops the request early (the run's cancel or timeout). */
  signal?: AbortSignal;
  now?: () => number;
}

/** Plain JSON when the answer says it is JSON (or looks like it), the text otherwise. */
function parseBody(text: string, contentType: string | undefined): unknown {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{"]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function headerValues(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

class PrecheckTimeout extends Error {}

/** Sends the precheck's request through the address guard, within its timeout. */
async function request(
  http: NonNullable<Precheck['http']>,
  timeoutMs: number,
  deps: PrecheckRunDeps,
): Promise<PrecheckResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
    else {
      const found = deps.env[value.env];
      if (found === undefined) throw new Error(`header ${name}: the environment variable ${value.env} is not set`);
      headers[name] = found;
    }
  }
  const method = http.method ?? 'GET';
  const hasBody = http.body !== undefined && method !== 'GET' && method !== 'DELETE';
  if (hasBody && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new PrecheckTimeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    const answer = await postOutbound({
      method,
      url: new URL(http.url),
      headers,
      body: hasBody ? JSON.stringify(http.body) : '',
      signal: deps.signal ? AbortSignal.any([deps.signal, timeout.signal]) : timeout.signal,
      guard: deps.guard,
      maxResponseBytes: 1024 * 1024,
    });
    const contentType = answer.headers['content-type'];
    return {
      status: answer.status,
      headers: headerValues(answer.headers),
      body: parseBody(answer.text, Array.isArray(contentType) ? contentType[0] : contentType),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a precheck: the http request (when it has one) and the condition over `response`,
 * `last_run`, `last_precheck`, `fire_at` and `input`. Never throws for the precheck's own
 * failures (a refused address, a timeout, a condition that fails or is not a bool): those come
 * back with `verdict: null` and the reason, for `on_error` to decide. A cancel of `signal` throws.
 */
export async function runPrecheck(
  precheck: Precheck,
  facts: PrecheckFacts,
  deps: PrecheckRunDeps,
): Promise<PrecheckOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  let response: PrecheckResponse | null = null;
  const failed = (error: unknown, timedOut = false): PrecheckOutcome => ({
    verdict: null,
    response,
    ms: now() - started,
    error: error instanceof Error ? error.message : String(error),
    timedOut,
  });
  try {
    if (precheck.http) response = await request(precheck.http, precheckTimeoutMs(precheck.timeout), deps);
  } catch (error) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    return failed(error, error instanceof PrecheckTimeout);
  }
  let value: unknown;
  try {
    value = compileCondition(precheck.condition)({
      response,
      last_run: facts.last_run,
      last_precheck: facts.last_precheck ?? null,
      fire_at: facts.fire_at,
      input: facts.input ?? null,
    });
  } catch (error) {
    return failed(new Error(`condition: ${(error as Error).message.split('\n')[0]}`));
  }
  if (typeof value !== 'boolean') return failed(new Error(`condition returned ${typeof value}, not a bool`));
  return { verdict: value, response, ms: now() - started, error: null, timedOut: false };
}
