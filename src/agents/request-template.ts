import { templateValues, templateVariables } from '../runs/input-template.ts';
import type { RunContext } from './runtime.ts';

/**
 * Request templates of `http` assistants (`config.body`, `config.query`): any JSON whose strings
 * may use `{{input}}`, `{{input.field.sub}}`, `{{run.id}}`, `{{run.number}}`,
 * `{{run.scheduled_for}}`, `{{run.config}}`, `{{run.context}}` (the run's LangGraph config and
 * context, null when none), `{{thread.id}}`, `{{history}}` and the schedule variables of input
 * templates (`{{date}}`, `{{schedule.name}}`, …). A string that is exactly one placeholder becomes
 * the value itself (an object, a number, null); inside a longer string a value is written as
 * text (objects as JSON). Unknown variables are refused when the assistant is saved.
 */

const runVariables = [
  'input',
  'run.id',
  'run.number',
  'run.scheduled_for',
  'run.config',
  'run.context',
  'thread.id',
  'history',
] as const;
const known: ReadonlySet<string> = new Set<string>([...runVariables, ...templateVariables]);
const placeholder = /\{\{\s*([\w.-]+)\s*\}\}/g;
const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/;

/** Every variable a request template may use (for messages and docs). */
export const requestTemplateVariables: readonly string[] = [...runVariables, 'input.<field>', ...templateVariables];

function isKnown(name: string): boolean {
  return known.has(name) || (name.startsWith('input.') && name.length > 'input.'.length);
}

function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${path}.${i}`);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${path}.${key}`);
  }
}

/** The first unknown variable of a template and where it is, or undefined when all are known. */
export function unknownRequestVariable(
  template: unknown,
  path: string,
): { variable: string; path: string } | undefined {
  for (const [text, where] of strings(template, path)) {
    for (const match of text.matchAll(placeholder)) {
      if (!isKnown(match[1]!)) return { variable: match[1]!, path: where };
    }
  }
  return undefined;
}

/** What a template renders against: the run, and the clock for runs outside schedules. */
export type RequestTemplateContext = Pick<
  RunContext,
  'runId' | 'runNumber' | 'scheduledFor' | 'threadId' | 'input' | 'history' | 'schedule' | 'config' | 'context'
> & {
  now: Date;
};

function inputField(input: unknown, path: string[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The value of one variable for this run (undefined for a missing input field). */
function variableValue(
  name: string,
  context: RequestTemplateContext,
  scheduleValues: () => Record<string, string>,
): unknown {
  switch (name) {
    case 'input':
      return context.input ?? null;
    case 'run.id':
      return context.runId;
    case 'run.number':
      return context.runNumber;
    case 'run.scheduled_for':
      return context.scheduledFor?.toISOString() ?? null;
    case 'run.config':
      return context.config ?? null;
    case 'run.context':
      return context.context ?? null;
    case 'thread.id':
      return context.threadId;
    case 'history':
      return context.history.map(({ role, content }) => ({ role, content }));
    default:
      if (name.startsWith('input.')) return inputField(context.input, name.slice('input.'.length).split('.'));
      return scheduleValues()[name];
  }
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Renders a request template for one run.
 *
 * @example
 * renderRequestTemplate({ text: 'Report for {{date}}', data: '{{input}}' }, context)
 * // { text: 'Report for 2026-03-09', data: { region: 'emea' } }
 */
export function renderRequestTemplate(template: unknown, context: RequestTemplateContext): unknown {
  let cached: Record<string, string> | undefined;
  const scheduleValues = () =>
    (cached ??= templateValues({
      occurrenceMs: (context.scheduledFor ?? context.now).getTime(),
      timezone: context.schedule?.timezone ?? 'UTC',
      runNumber: context.runNumber ?? 0,
      scheduleId: context.schedule?.id ?? '',
      scheduleName: context.schedule?.name ?? '',
    }));
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const single = whole.exec(value);
      if (single && isKnown(single[1]!)) return variableValue(single[1]!, context, scheduleValues) ?? null;
      return value.replace(placeholder, (text, name: string) =>
        isKnown(name) ? asText(variableValue(name, context, scheduleValues)) : text,
      );
    }
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item)]));
    return value;
  };
  return render(template);
}
