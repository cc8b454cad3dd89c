import { Environment } from '@marcbachmann/cel-js';
import { z } from 'zod';
import { KairosError } from '../errors.ts';
import { parseDuration } from '../time/durations.ts';

/**
 * A precheck as a schedule or a trigger carries it (docs/gates.md, "Precheck"): an optional http
 * request and a CEL condition over its response, the previous run and the previous response. Kept
 * as given (jsonb); defaults are filled when it runs.
 */
export const precheckSchema = z.strictObject({
  http: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
      /** A value is the text sent, or `{"env": NAME}`: read from the server's environment when it runs (never stored). */
      headers: z
        .record(z.string().min(1).max(200), z.union([z.string().max(8000), z.strictObject({ env: z.string().min(1) })]))
        .optional(),
      /** Sent as JSON (POST, PUT, PATCH). */
      body: z.json().optional(),
    })
    .optional(),
  condition: z
    .string()
    .trim()
    .min(1, 'may not be empty: write a CEL expression, e.g. response.status == 200')
    .max(4000),
  on_error: z.enum(['run', 'skip']).optional(),
  /** Seconds, or text like "5s", "500ms", "PT5S"; default 5 s, at most 60 s. */
  timeout: z.union([z.number().positive(), z.string().min(1)]).optional(),
});

export type Precheck = z.output<typeof precheckSchema>;
export type PrecheckInput = z.input<typeof precheckSchema>;

/** The default time a precheck's request may take, and the most it may be given. */
export const defaultPrecheckTimeoutMs = 5000;
export const maxPrecheckTimeoutMs = 60_000;

/** The variables a condition sees. */
export const precheckVariables = {
  response: 'dyn',
  last_run: 'dyn',
  last_precheck: 'dyn',
  fire_at: 'google.protobuf.Timestamp',
  input: 'dyn',
} as const;

let environment: Environment | undefined;

function env(): Environment {
  if (!environment) {
    environment = new Environment({ homogeneousAggregateLiterals: false, limits: { maxAstNodes: 2000, maxDepth: 64 } });
    for (const [name, type] of Object.entries(precheckVariables)) environment.registerVariable(name, type);
  }
  return environment;
}

/** A precheck that cannot be saved: `field` names what to fix (e.g. `precheck.condition`). */
export function invalidPrecheck(field: string, message: string, details: Record<string, unknown> = {}): KairosError {
  return new KairosError('invalid_precheck', `${field}: ${message}`, { status: 422, details: { field, ...details } });
}

export type PrecheckProgram = (context: Record<string, unknown>) => unknown;

const programs = new Map<string, PrecheckProgram>();

/** Compiles a condition (cached); throws `invalid_precheck` naming `field` when it does not compile or is not a bool. */
export function compileCondition(expression: string, field = 'precheck.condition'): PrecheckProgram {
  const cached = programs.get(expression);
  if (cached) return cached;
  const firstLine = (message: string) => message.split('\n')[0]!.trim();
  let checked: ReturnType<Environment['check']>;
  try {
    checked = env().check(expression);
  } catch (error) {
    throw invalidPrecheck(field, firstLine((error as Error).message), { variables: Object.keys(precheckVariables) });
  }
  if (!checked.valid)
    throw invalidPrecheck(field, firstLine(checked.error?.message ?? 'invalid expression'), {
      variables: Object.keys(precheckVariables),
    });
  if (!['bool', 'dyn'].includes(String(checked.type)))
    throw invalidPrecheck(field, `must return bool, but returns ${String(checked.type)}`);
  const program = env().parse(expression) as unknown as PrecheckProgram;
  if (programs.size > 1000) programs.clear();
  programs.set(expression, program);
  return program;
}

/** The timeout in ms; throws `invalid_precheck` (precheck.timeout) when it is not a duration or out of range. */
export function precheckTimeoutMs(timeout: Precheck['timeout'], field = 'precheck.timeout'): number {
  if (timeout === undefined) return defaultPrecheckTimeoutMs;
  const ms = parseDuration(timeout);
  if (ms === undefined)
    throw invalidPrecheck(field, `"${timeout}" is not a duration: use seconds (5), "5s", "500ms" or ISO-8601 ("PT5S")`);
  if (ms <= 0 || ms > maxPrecheckTimeoutMs)
    throw invalidPrecheck(field, `must be more than 0 and at most ${maxPrecheckTimeoutMs / 1000} s`, {
      value: timeout,
    });
  return ms;
}

/** The checks that need no network: the condition compiles, the timeout parses. */
export function checkPrecheckShape(precheck: Precheck, prefix = 'precheck'): void {
  compileCondition(precheck.condition, `${prefix}.condition`);
  precheckTimeoutMs(precheck.timeout, `${prefix}.timeout`);
}
