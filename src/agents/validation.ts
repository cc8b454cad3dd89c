import type { z } from 'zod';
import { invalid, type KairosError } from '../errors.ts';

/** Turns the first zod issue into `invalid_request` (422) naming the field, e.g. `config.url: …`. */
export function issueToError(issue: z.core.$ZodIssue, prefix: ReadonlyArray<PropertyKey> = []): KairosError {
  const path = [...prefix, ...issue.path].map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = [...path, key].join('.');
    const where = path.length > 0 ? ` in ${path.join('.')}` : '';
    return invalid(field, `unknown field "${key}"${where}; check the spelling (see docs/assistants.md)`, {
      keys: issue.keys,
    });
  }
  const field = path.length > 0 ? path.join('.') : '(body)';
  return invalid(field, issue.message);
}

/** Parses `input` with `schema` or throws `invalid_request` naming the first bad field. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw issueToError(parsed.error.issues[0]!, prefix);
  return parsed.data;
}
