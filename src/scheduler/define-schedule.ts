import type { IfExists } from './schedule-ensure.ts';
import { ifExistsPolicies } from './schedule-ensure.ts';
import type { ScheduleCreateInput } from './schedule-input.ts';

/**
 * A schedule declared in the config file: any field of a schedule's create body, keyed by `name`,
 * with its target as `assistant` (an assistant id, a graph id, or the id of a module assistant of
 * the config file) and what to do when the name is already taken (`if_exists`, default `raise`).
 */
export type ScheduleDeclaration = Omit<ScheduleCreateInput, 'name' | 'assistant_id'> & {
  /** The key: unique among the config owner's schedules. */
  name: string;
  /** An assistant id, a graph id, or the id of a module assistant (`defineAssistant({ id })`). */
  assistant?: string;
  /** The same as `assistant` (the API's field name). */
  assistant_id?: string;
  /**
   * The workflow it fires: a workflow id, or the name of one of the owner's workflows (e.g. one
   * the same file declares under `workflows`).
   */
  workflow?: string;
  /** `raise` (default), `update` or `skip`: see docs/scheduling.md, "Schedules declared in code". */
  if_exists?: IfExists;
};

const namePattern = /\S/;

/** Throws a message naming the declaration and what is wrong with it. */
export function assertDeclaration(value: unknown, where = 'defineSchedule'): asserts value is ScheduleDeclaration {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object with name, assistant and schedule`);
  }
  const candidate = value as Partial<ScheduleDeclaration>;
  if (typeof candidate.name !== 'string' || !namePattern.test(candidate.name) || candidate.name.length > 200) {
    throw new Error(
      `${where}: name must be a non-empty string of at most 200 characters, got ${JSON.stringify(candidate.name)}`,
    );
  }
  const label = `${where} "${candidate.name}"`;
  const targets = (['assistant', 'assistant_id', 'workflow'] as const).filter((key) => candidate[key] !== undefined);
  if (targets.length !== 1) {
    throw new Error(
      `${label}: give exactly one target, assistant (an id, graph id or module assistant id) or workflow${targets.length > 1 ? ` (got ${targets.join(', ')})` : ''}`,
    );
  }
  const target = candidate[targets[0]!];
  if (typeof target !== 'string' || target.trim() === '')
    throw new Error(`${label}: ${targets[0]} must be a non-empty string`);
  if (candidate.if_exists !== undefined && !ifExistsPolicies.includes(candidate.if_exists)) {
    throw new Error(
      `${label}: if_exists must be "update", "skip" or "raise", got ${JSON.stringify(candidate.if_exists)}`,
    );
  }
  if (candidate.schedule === undefined)
    throw new Error(`${label}: needs a schedule (a cron string, or {cron|at|every, timezone})`);
}

/**
 * Declares a schedule that must always exist; every replica registers the config file's
 * declarations at start, idempotently (see docs/scheduling.md).
 *
 * @example
 * // kairos.config.ts
 * import { defineAssistant, defineSchedule } from 'kairos';
 * export default {
 *   assistants: [defineAssistant({ id: 'digest', name: 'Digest', run: () => ({ ok: true }) })],
 *   schedules: [
 *     defineSchedule({
 *       name: 'daily-digest',
 *       assistant: 'digest',
 *       schedule: { cron: '0 9 * * 1-5', timezone: 'America/New_York' },
 *       input_template: 'Digest for {{date}}',
 *       if_exists: 'update',
 *     }),
 *   ],
 * };
 */
export function defineSchedule(declaration: ScheduleDeclaration): ScheduleDeclaration {
  assertDeclaration(declaration);
  return Object.freeze({ ...declaration });
}
