/**
 * Input templates of triggers: any JSON whose strings may use `{{event.body…}}`,
 * `{{event.headers.<lower-case name>}}`, `{{event.query…}}`, `{{event.received_at}}`,
 * `{{trigger.id}}` and `{{trigger.name}}`. A string that is exactly one placeholder becomes the
 * value itself (an object, an array, a number); inside longer text, values are written out
 * (objects as JSON, a missing value as nothing).
 */

import { lookup } from '../runs/flow-control.ts';

/** One delivery as templates see it. */
export interface TemplateEvent {
  body: unknown;
  /** Lower-case names; credentials (Authorization, Cookie) are left out. */
  headers: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  /** ISO-8601. */
  received_at: string;
}

export interface EventTemplateContext {
  event: TemplateEvent;
  trigger: { id: string; name: string };
}

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const segment = /^[A-Za-z0-9_-]+$/;

/** Why a variable is not one a trigger template may use, or undefined when it is. */
function variableProblem(variable: string): string | undefined {
  const parts = variable.split('.');
  if (parts.some((part) => !segment.test(part)))
    return 'is not a variable name (dot-separated letters, digits, _ and -)';
  const [root, kind, ...rest] = parts;
  if (root === 'trigger' && parts.length === 2 && (kind === 'id' || kind === 'name')) return undefined;
  if (root !== 'event')
    return 'is unknown: trigger templates use event.body…, event.headers.<name>, event.query.<name>, event.received_at, trigger.id, trigger.name';
  if (kind === 'body') return undefined;
  if (kind === 'received_at' && rest.length === 0) return undefined;
  if (kind === 'headers' || kind === 'query') {
    if (rest.length > 1) return `is too deep: event.${kind} holds strings, use event.${kind}.<name>`;
    if (kind === 'headers' && rest[0] !== undefined && rest[0] !== rest[0].toLowerCase()) {
      return `names a header in upper case: header names are lower-case, use event.headers.${rest[0].toLowerCase()}`;
    }
    if (
      kind === 'headers' &&
      (rest[0] === 'authorization' || rest[0] === 'cookie' || rest[0] === 'proxy-authorization')
    ) {
      return 'names a credential header, which templates never see';
    }
    return undefined;
  }
  return 'is unknown: event has body, headers, query and received_at';
}

/** Every string inside a JSON value, with its path (keys are not templated). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${path}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${path}.${key}`);
}

/** The variables of a template that a trigger cannot fill, with where (under `root`) and why; empty when valid. */
export function eventTemplateProblems(
  template: unknown,
  root = 'input_template',
): Array<{ variable: string; path: string; problem: string }> {
  const problems: Array<{ variable: string; path: string; problem: string }> = [];
  for (const [text, path] of strings(template, root)) {
    for (const match of text.matchAll(placeholder)) {
      const problem = variableProblem(match[1]!);
      if (problem) problems.push({ variable: match[1]!, path, problem });
    }
  }
  return problems;
}

function valueOf(variable: string, context: EventTemplateContext): unknown {
  const [root, ...path] = variable.split('.');
  return lookup(root === 'trigger' ? context.trigger : root === 'event' ? context.event : undefined, path);
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Renders a trigger's input template for one delivery. Variables were checked at save time.
 *
 * @example
 * renderEventTemplate({ repo: '{{event.body.repository.full_name}}', commits: '{{event.body.commits}}' }, context)
 * // { repo: 'octo/hello', commits: [ … ] }
 */
export function renderEventTemplate(template: unknown, context: EventTemplateContext): unknown {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
      if (whole) return valueOf(whole[1]!, context) ?? null;
      return value.replace(placeholder, (_, name: string) => asText(valueOf(name, context)));
    }
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item)]));
    return value;
  };
  return render(template);
}

/** Request headers a template may see: lower-case names, credentials left out. */
export function templateHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const hidden = new Set(['authorization', 'cookie', 'proxy-authorization']);
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !hidden.has(name.toLowerCase()))
      .map(([name, value]) => [name.toLowerCase(), value]),
  );
}
