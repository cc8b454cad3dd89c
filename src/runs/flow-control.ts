import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Flow control of a run (issue 21, docs/gates.md): its priority, and the concurrency key its
 * schedule, trigger or workflow gives it. The key is rendered once, when the run is created, and
 * stored on the run with the group's limit and strategy; the worker's claim decides over them.
 */

/** What happens to a run whose key already runs `limit` runs. */
export const concurrencyStrategies = ['queue', 'skip', 'cancel_oldest'] as const;
export type ConcurrencyStrategy = (typeof concurrencyStrategies)[number];

/** 1 starts first; 3 when not given. */
export const defaultPriority = 3;
export const prioritySchema = z
  .number({ message: 'priority: must be an integer from 1 (first) to 5 (last)' })
  .int('priority: must be an integer from 1 (first) to 5 (last)')
  .min(1, 'priority: must be an integer from 1 (first) to 5 (last)')
  .max(5, 'priority: must be an integer from 1 (first) to 5 (last)');

/** `{key, limit, strategy}` as saved on a schedule, trigger or workflow. */
export interface ConcurrencySpec {
  key: string;
  limit: number;
  strategy: ConcurrencyStrategy;
}

/** What a key template may read: a run's input, and (triggers) the delivery. */
export type KeyRoots = 'input' | 'input_or_event';

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const segment = /^[A-Za-z0-9_-]+$/;

/** Why a variable is not one a key template may use, or undefined when it is. */
function variableProblem(variable: string, roots: KeyRoots): string | undefined {
  const parts = variable.split('.');
  if (parts.some((part) => !segment.test(part)))
    return 'is not a variable name (dot-separated letters, digits, _ and -)';
  const [root, kind] = parts;
  if (root === 'input') return undefined;
  if (roots === 'input_or_event' && root === 'event') {
    if (kind === 'body' || kind === 'headers' || kind === 'query' || (kind === 'received_at' && parts.length === 2))
      return undefined;
    return 'is unknown: event has body, headers, query and received_at';
  }
  return roots === 'input'
    ? 'is unknown: a concurrency key reads the run input, e.g. {{input.customer}}'
    : 'is unknown: a trigger concurrency key reads {{input…}} or the delivery, e.g. {{event.body.customer}}';
}

/** The problems of a key template (unknown variables, unclosed `{{`), empty when it is valid. */
export function concurrencyKeyProblems(template: string, roots: KeyRoots): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(placeholder)) {
    const problem = variableProblem(match[1]!, roots);
    if (problem) problems.push(`{{${match[1]}}} ${problem}`);
  }
  if (template.replace(placeholder, '').includes('{{')) problems.push('has a {{ that opens no variable');
  return problems;
}

/** The `concurrency` field of a schedule (roots `input`) or trigger (`input_or_event`). */
export function concurrencySchema(roots: KeyRoots) {
  return z
    .strictObject({
      key: z.string().trim().min(1, 'may not be empty').max(500),
      limit: z.number().int('must be an integer of at least 1').min(1, 'must be at least 1').max(1000),
      strategy: z
        .enum(concurrencyStrategies, { message: 'must be "queue", "skip" or "cancel_oldest"' })
        .default('queue'),
    })
    .superRefine((value, ctx) => {
      for (const problem of concurrencyKeyProblems(value.key, roots))
        ctx.addIssue({ code: 'custom', path: ['key'], message: problem });
    });
}

/** The value at `path` (object keys, array indexes) or undefined; event templates read with it too. */
export function lookup(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
    else if (value && typeof value === 'object' && Object.hasOwn(value, key))
      value = (value as Record<string, unknown>)[key];
    else return undefined;
  }
  return value;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Keys longer than this are stored as their SHA-256 (a run's input may be large). */
const maxKeyLength = 200;

/**
 * A key template rendered over `context` (`{input, event?}`): a missing value renders as nothing.
 * A key that renders empty (only whitespace) is no key: null, and the run is not limited by key.
 *
 * @example
 * renderConcurrencyKey('{{input.customer}}', { input: { customer: 'acme' } }) // 'acme'
 */
export function renderConcurrencyKey(template: string, context: Record<string, unknown>): string | null {
  const key = template.replace(placeholder, (_, variable: string) => {
    const [root, ...path] = variable.split('.');
    return asText(lookup(context[root!], path));
  });
  if (key.trim() === '') return null;
  return key.length > maxKeyLength ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key;
}

/** A run's key as stored: its group (`schedule:<id>`, …), value, limit and strategy. */
export interface RunConcurrency {
  scope: string;
  key: string;
  limit: number;
  strategy: ConcurrencyStrategy;
}

/** The key a run of this group gets, or null (no concurrency, or a key that rendered empty). */
export function runConcurrency(
  spec: ConcurrencySpec | null | undefined,
  scope: string,
  context: Record<string, unknown>,
): RunConcurrency | null {
  if (!spec) return null;
  const key = renderConcurrencyKey(spec.key, context);
  return key === null ? null : { scope, key, limit: spec.limit, strategy: spec.strategy };
}
