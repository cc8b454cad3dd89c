import { templateVariables } from '../runs/input-template.ts';

/** A parallel node's content: every branch's content by branch name, in branch order. */
export class ParallelContent {
  constructor(readonly branches: ReadonlyArray<readonly [string, unknown]>) {}

  /** The content as JSON: an object keyed by branch name. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.branches);
  }
}

/** Content as text: strings as they are, parallel content as `=== name ===` sections, the rest as JSON. */
export function contentText(content: unknown): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (content instanceof ParallelContent) {
    return content.branches.map(([name, value]) => `=== ${name} ===\n${contentText(value)}`).join('\n\n');
  }
  return JSON.stringify(content);
}

/** Content as a JSON value (parallel content becomes its object). */
export function contentValue(content: unknown): unknown {
  if (content === undefined) return null;
  if (content instanceof ParallelContent) return content.toJSON();
  return content;
}

const placeholder = /\{\{\s*([\w.-]+)\s*\}\}/g;
const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/;
const scheduleVariables: ReadonlySet<string> = new Set(templateVariables);

/** What a step's `input` template can name. */
export interface StepTemplateValues {
  input: unknown;
  previous: unknown;
  steps: ReadonlyMap<string, unknown>;
  /** The schedule variables (`date`, `day_of_week`, …) of the run. */
  schedule: Readonly<Record<string, string>>;
}

/** The unknown variables of a step template (`stepNames`: the names `{{steps.<name>}}` may use). */
export function unknownStepTemplateVariables(template: unknown, stepNames: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(placeholder)) {
        const name = match[1]!;
        const known =
          name === 'input' ||
          name === 'previous' ||
          scheduleVariables.has(name) ||
          (name.startsWith('steps.') && stepNames.has(name.slice(6)));
        if (!known) problems.push(name);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(template);
  return problems;
}

function lookup(name: string, values: StepTemplateValues): { found: boolean; value: unknown } {
  if (name === 'input') return { found: true, value: values.input };
  if (name === 'previous') return { found: true, value: values.previous };
  if (name.startsWith('steps.')) {
    const step = name.slice(6);
    return values.steps.has(step) ? { found: true, value: values.steps.get(step) } : { found: true, value: null };
  }
  if (name in values.schedule) return { found: true, value: values.schedule[name] };
  return { found: false, value: undefined };
}

/**
 * Renders a step's `input` template. A string that is exactly one placeholder (`"{{previous}}"`)
 * becomes that value itself (objects stay objects); placeholders inside longer text are replaced
 * by the value as text. Objects and arrays are rendered string by string.
 *
 * @example
 * renderStepInput({ topic: '{{input}}', draft: '{{steps.draft}}' }, values)
 */
export function renderStepInput(template: unknown, values: StepTemplateValues): unknown {
  if (typeof template === 'string') {
    const single = whole.exec(template);
    if (single) {
      const { found, value } = lookup(single[1]!, values);
      if (found) return contentValue(value);
    }
    return template.replace(placeholder, (text, name: string) => {
      const { found, value } = lookup(name, values);
      return found ? contentText(value) : text;
    });
  }
  if (Array.isArray(template)) return template.map((item) => renderStepInput(item, values));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, item]) => [key, renderStepInput(item, values)]));
  }
  return template;
}
