import { readFileSync } from 'node:fs';
import { KairosError } from '../errors.ts';

/** A JSON object given on the command line (`--data '{…}'`) or as `@file.json`. */
export function parseJsonObject(text: string, option: string): Record<string, unknown> {
  const source = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new KairosError('invalid_json', `${option}: not valid JSON (${(error as Error).message})`, { status: 400 });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KairosError('invalid_request', `${option}: must be a JSON object`, { status: 422 });
  }
  return value as Record<string, unknown>;
}

/** A JSON value, or the text itself when it is not JSON (`--input hello`). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
