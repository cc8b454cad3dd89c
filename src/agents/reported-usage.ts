import type { RunResult } from './runtime.ts';

export type Usage = NonNullable<RunResult['usage']>;

const count = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;

/**
 * Token usage as an agent reports it (OpenAI's `usage` object: `prompt_tokens`,
 * `completion_tokens`, `total_tokens`; `input_tokens`/`output_tokens` as Anthropic and the
 * Responses API name them), with the model when known. Undefined when nothing usable is there.
 */
export function reportedUsage(value: unknown, model?: unknown): Usage | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const usage: Usage = {};
  const prompt = count(raw.prompt_tokens) ?? count(raw.input_tokens);
  const completion = count(raw.completion_tokens) ?? count(raw.output_tokens);
  const total = count(raw.total_tokens);
  if (prompt !== undefined) usage.prompt_tokens = prompt;
  if (completion !== undefined) usage.completion_tokens = completion;
  if (total !== undefined) usage.total_tokens = total;
  if (Object.keys(usage).length === 0) return undefined;
  const name =
    typeof model === 'string' && model.length > 0
      ? model
      : typeof raw.model === 'string' && raw.model.length > 0
        ? raw.model
        : undefined;
  if (name !== undefined) usage.model = name;
  return usage;
}

/** The usage an http agent reports in its JSON answer (a top-level `usage` object), if any. */
export function usageOfAnswer(answer: unknown): Usage | undefined {
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const body = answer as Record<string, unknown>;
  return reportedUsage(body.usage, body.model);
}

/** Two usages added up (several model calls in one run); the model is kept when they agree. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b;
  if (!b) return a;
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const out: Usage = {};
  const prompt = sum(a.prompt_tokens, b.prompt_tokens);
  const completion = sum(a.completion_tokens, b.completion_tokens);
  const total = sum(a.total_tokens, b.total_tokens);
  if (prompt !== undefined) out.prompt_tokens = prompt;
  if (completion !== undefined) out.completion_tokens = completion;
  if (total !== undefined) out.total_tokens = total;
  if (a.model !== undefined && a.model === b.model) out.model = a.model;
  return out;
}
