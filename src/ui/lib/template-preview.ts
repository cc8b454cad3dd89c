/**
 * Client-side rendering of an input template for the form's preview, with the same variables and
 * rules as the server (src/scheduler/input-template.ts).
 */

export const templateVariables = [
  { name: 'date', help: 'ISO date in the schedule zone' },
  { name: 'day_of_week', help: 'Monday … Sunday' },
  { name: 'timestamp', help: 'Unix seconds of the fire time' },
  { name: 'run_number', help: '1, 2, 3 …' },
  { name: 'scheduled_for', help: 'ISO instant of the fire time' },
  { name: 'schedule.name', help: "this schedule's name" },
  { name: 'schedule.id', help: "this schedule's id" },
] as const;

const known = new Set<string>(templateVariables.map((variable) => variable.name));
const placeholder = /\{\{\s*([\w.]+)\s*\}\}/g;

export interface TemplateContext {
  at: string;
  timezone: string;
  runNumber: number;
  scheduleName: string;
  scheduleId: string;
}

function values(context: TemplateContext): Record<string, string> {
  const date = new Date(context.at);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: context.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'long',
    }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'long',
    }).formatToParts(date);
  }
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    day_of_week: get('weekday'),
    timestamp: String(Math.floor(date.getTime() / 1000)),
    run_number: String(context.runNumber),
    scheduled_for: date.toISOString(),
    'schedule.name': context.scheduleName,
    'schedule.id': context.scheduleId,
  };
}

export function unknownVariables(template: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(placeholder)) if (!known.has(match[1]!)) found.add(match[1]!);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(template);
  return [...found];
}

export function renderTemplate(template: unknown, context: TemplateContext): unknown {
  const table = values(context);
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(placeholder, (whole, name: string) => table[name] ?? whole);
    if (Array.isArray(value)) return value.map(render);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    return value;
  };
  const rendered = render(template);
  return typeof rendered === 'string' ? asJson(rendered) : rendered;
}

/** As the server sends it: a string template that reads as a JSON object or array once rendered is JSON. */
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

/** The template text as typed: JSON when it parses as an object/array, else a plain string. */
export function parseTemplateText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

export function templateText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/** Where the first `{{` is that no `}}` closes before the next `{{`; -1 when every one is closed. */
export function unclosedAt(text: string): number {
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return -1;
    const close = text.indexOf('}}', open + 2);
    const next = text.indexOf('{{', open + 2);
    if (close < 0 || (next >= 0 && next < close)) return open;
    from = close + 2;
  }
}

/** The first unclosed `{{` of a template as written (`{{date`), or undefined. */
export function unclosedPlaceholder(template: unknown): string | undefined {
  if (typeof template === 'string') {
    const at = unclosedAt(template);
    return at < 0 ? undefined : /^\{\{\s*[\w.]*/.exec(template.slice(at))![0];
  }
  const items = Array.isArray(template)
    ? template
    : template && typeof template === 'object'
      ? Object.values(template)
      : [];
  for (const item of items) {
    const found = unclosedPlaceholder(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What is wrong with a template's variables, in a sentence (unknown names, an unclosed `{{`), or undefined. */
export function templateProblem(template: unknown): string | undefined {
  const unknown = unknownVariables(template);
  if (unknown.length > 0)
    return `Unknown variable${unknown.length > 1 ? 's' : ''}: ${unknown.map((v) => `{{${v}}}`).join(', ')}`;
  const unclosed = unclosedPlaceholder(template);
  return unclosed === undefined ? undefined : `Unclosed variable: ${unclosed} needs a closing }}`;
}
