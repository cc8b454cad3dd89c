import type { z } from 'zod';
import { invalid, type KairosError } from './errors.ts';

/**
 * The first problem zod found, as `invalid_request` (422) naming the field. The wording was
 * written for schedules, whose bodies came first; run and workflow bodies share it.
 */
export function issueToError(issue: z.core.$ZodIssue): KairosError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0] ?? ''].join('.');
    const where = path.length > 0 ? ` in ${path.join('.')}` : '';
    return invalid(
      field,
      `unknown field "${issue.keys[0]}"${where}; see docs/scheduling.md for the fields a schedule accepts`,
      { keys: issue.keys },
    );
  }
  if (issue.code === 'invalid_union' && path.join('.') === 'schedule') {
    return invalid('schedule', 'must be a cron string or an object with one of cron (and timezone), at, or every');
  }
  return invalid(path.length > 0 ? path.join('.') : '(body)', issue.message);
}

/** Parses with zod once, at the service edge; the first problem becomes `invalid_request` (422). */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw issueToError(parsed.error.issues[0]!);
  return parsed.data;
}
