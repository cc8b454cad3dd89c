import { wallDateInZone } from '../time/index.ts';

/** The variables an input template may use. */
export const templateVariables = [
  'date',
  'day_of_week',
  'timestamp',
  'run_number',
  'scheduled_for',
  'schedule.name',
  'schedule.id',
] as const;
export type TemplateVariable = (typeof templateVariables)[number];

const known: ReadonlySet<string> = new Set(templateVariables);
const placeholder = /\{\{\s*([\w.]+)\s*\}\}/g;
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Every string inside a JSON value (keys are not templated). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${path}[${i}]`);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${path}.${key}`);
  }
}

/**
 * The unknown variables of a template, and `{{` that open no variable (unclosed, or holding
 * something else: `{{ date`, `{{date}`), with where they occur; empty when it is valid.
 */
export function unknownTemplateVariables(
  template: unknown,
): Array<{ variable: string; path: string; unclosed?: true }> {
  const problems: Array<{ variable: string; path: string; unclosed?: true }> = [];
  for (const [text, path] of strings(template, 'input_template')) {
    for (const match of text.matchAll(placeholder)) {
      if (!known.has(match[1]!)) problems.push({ variable: match[1]!, path });
    }
    const rest = text.replace(placeholder, '');
    const open = rest.indexOf('{{');
    // The unclosed `{{` with the name after it (`{{date`), not the text that follows.
    if (open >= 0) problems.push({ variable: /^\{\{\s*[\w.]*/.exec(rest.slice(open))![0], path, unclosed: true });
  }
  return problems;
}

/**
 * A string template that reads as a JSON object or array once rendered is that JSON value: the
 * agent gets `{"task": "Report for 2026-03-09", "n": 7}`, not one string. Values are inserted as
 * written (not JSON-escaped), so a text that no longer parses stays a string.
 */
function asJson(rendered: string): unknown {
  const trimmed = rendered.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}')) && !(trimmed.startsWith('[') && trimmed.endsWith(']')))
    return rendered;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return rendered;
  }
}

export interface TemplateContext {
  /** The occurrence (nominal time) the run is for. */
  occurrenceMs: number;
  timezone: string;
  runNumber: number;
  scheduleId: string;
  scheduleName: string;
}

/** The values of every template variable for one occurrence. */
export function templateValues(context: TemplateContext): Record<TemplateVariable, string> {
  const wall = wallDateInZone(context.occurrenceMs, context.timezone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`,
    day_of_week: weekdays[wall.weekday % 7]!,
    timestamp: String(Math.floor(context.occurrenceMs / 1000)),
    run_number: String(context.runNumber),
    scheduled_for: new Date(context.occurrenceMs).toISOString(),
    'schedule.name': context.scheduleName,
    'schedule.id': context.scheduleId,
  };
}

/**
 * Renders a template: a string, or any JSON value whose strings are rendered. Variables were
 * checked when the schedule was saved; an unknown one is left as written.
 *
 * @example
 * renderInputTemplate('Summary for {{date}}', ctx) // 'Summary for 2026-03-09'
 */
export function renderInputTemplate(template: unknown, context: TemplateContext): unknown {
  if (template === null || template === undefined) return null;
  const values = templateValues(context);
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(placeholder, (whole, name: string) =>
        known.has(name) ? values[name as TemplateVariable] : whole,
      );
    }
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item)]));
    }
    return value;
  };
  const rendered = render(template);
  return typeof template === 'string' ? asJson(rendered as string) : rendered;
}
