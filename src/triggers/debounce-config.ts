import { createHash } from 'node:crypto';
import { KairosError } from '../errors.ts';
import { parseDuration } from '../time/durations.ts';
import { eventTemplateProblems, renderEventTemplate, type EventTemplateContext } from './event-template.ts';

/** The longest debounce period: a day. */
export const maxDebounceMs = 86_400_000;

/** A trigger's debounce as the API shows it. */
export interface DebounceResource {
  /** As short as it reads: `"30s"`, `"5m"`, `"250ms"`. */
  period: string;
  period_ms: number;
  /** The key's template; null: one key for the whole trigger. */
  key: string | null;
}

const invalidDebounce = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new KairosError('invalid_debounce', `${field}: ${message}`, { status: 422, details: { field, ...details } });

/**
 * Checks a trigger's `debounce` once, at save: the period is a duration above 0 and at most 24 h,
 * the key's variables are ones a delivery fills. Returns the columns, or throws `invalid_debounce`
 * (422) naming the field.
 *
 * @example
 * debounceColumns({ period: '30s', key: '{{event.body.repository.full_name}}' })
 * // { debounce_ms: 30000, debounce_key: '{{event.body.repository.full_name}}' }
 */
export function debounceColumns(debounce: { period: string | number; key?: string | null | undefined } | null): {
  debounce_ms: number | null;
  debounce_key: string | null;
} {
  if (debounce === null) return { debounce_ms: null, debounce_key: null };
  const ms = parseDuration(debounce.period);
  if (ms === undefined || ms <= 0 || ms > maxDebounceMs) {
    throw invalidDebounce(
      'debounce.period',
      `${JSON.stringify(debounce.period)} is not a duration above 0 and at most 24h: write e.g. "30s", "5m", "500ms" or 30 (seconds)`,
    );
  }
  const key = debounce.key?.trim() ? debounce.key : null;
  if (key !== null) {
    const [problem] = eventTemplateProblems(key, 'debounce.key');
    if (problem) {
      throw invalidDebounce('debounce.key', `{{${problem.variable}}} ${problem.problem}`, {
        variable: problem.variable,
      });
    }
  }
  return { debounce_ms: ms, debounce_key: key };
}

/** `30000` → `"30s"`: the largest unit that divides it. */
export function formatPeriod(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function toDebounceResource(row: {
  debounce_ms: number | null;
  debounce_key: string | null;
}): DebounceResource | null {
  if (row.debounce_ms === null) return null;
  return { period: formatPeriod(row.debounce_ms), period_ms: row.debounce_ms, key: row.debounce_key };
}

/**
 * The debounce key of one delivery: the key template rendered as text (objects as JSON, a missing
 * value as ""); "" without a template. A key over 200 characters is kept as its SHA-256.
 */
export function debounceKeyOf(template: string | null, context: EventTemplateContext): string {
  if (template === null) return '';
  const value = renderEventTemplate(template, context);
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `sha256:${createHash('sha256').update(text).digest('hex')}` : text;
}
