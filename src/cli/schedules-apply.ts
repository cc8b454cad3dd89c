import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ScheduleCreate } from '../api/schemas/schedules.ts';
import { KairosError } from '../errors.ts';
import type { Kairos } from '../sdk/client.ts';
import { KairosApiError } from '../sdk/errors.ts';
import { print, printTable } from './output.ts';

type IfExists = 'update' | 'skip' | 'raise';
const policies: readonly string[] = ['update', 'skip', 'raise'];

/** One line of `kairos schedules apply`'s answer. */
export interface AppliedSchedule {
  name: string;
  result: 'created' | 'updated' | 'unchanged' | 'skipped' | 'error';
  id: string | null;
  changed: string[];
  error?: { code: string; message: string };
}

const bad = (message: string) => new KairosError('invalid_request', message, { status: 422 });

/**
 * The schedules of a file: a JSON list of schedule bodies, or `{"schedules": [...]}` (the
 * kairos.config.json form). Each needs a `name`; `assistant` is accepted for `assistant_id`, and
 * an item's `if_exists` overrides the command's.
 */
export function readScheduleFile(
  path: string,
): Array<{ body: ScheduleCreate & { name: string }; ifExists: IfExists | undefined }> {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw bad(`-f: cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new KairosError('invalid_json', `${path}: not valid JSON (${(error as Error).message})`, { status: 400 });
  }
  const list = Array.isArray(value) ? value : (value as { schedules?: unknown } | null)?.schedules;
  if (!Array.isArray(list)) throw bad(`${path}: expected a JSON list of schedules, or {"schedules": [...]}`);
  const names = new Set<string>();
  return list.map((item: unknown, index) => {
    const where = `${path}: schedules[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(`${where}: must be an object`);
    const { if_exists, assistant, ...rest } = item as Record<string, unknown>;
    if (typeof rest.name !== 'string' || rest.name.trim() === '')
      throw bad(`${where}: needs a name (the key that identifies the schedule)`);
    if (names.has(rest.name)) throw bad(`${where}: two schedules are named "${rest.name}"`);
    names.add(rest.name);
    if (if_exists !== undefined && !policies.includes(if_exists as string))
      throw bad(`${where}: if_exists must be "update", "skip" or "raise"`);
    if (assistant !== undefined && rest.assistant_id !== undefined)
      throw bad(`${where}: give assistant or assistant_id, not both`);
    const body = { ...rest, ...(assistant !== undefined && { assistant_id: assistant }) } as ScheduleCreate & {
      name: string;
    };
    return { body, ifExists: if_exists as IfExists | undefined };
  });
}

/** `kairos schedules apply -f schedules.json`: ensures each schedule by name, printing what it did. */
export function addApplyCommand(
  schedules: Command,
  client: (command: Command) => Kairos,
  json: (command: Command) => boolean | undefined,
): void {
  schedules
    .command('apply')
    .description(
      'create or reconcile schedules by name from a JSON file (prints created / updated / unchanged / skipped per schedule)',
    )
    .requiredOption(
      '-f, --file <path>',
      'a JSON list of schedule bodies with names, or {"schedules": [...]}; - reads stdin',
    )
    .option('--if-exists <policy>', "when a name is taken: raise (default), update or skip; an item's if_exists wins")
    .option('--json', 'print JSON')
    .action(async (options: { file: string; ifExists?: string }, command: Command) => {
      if (options.ifExists !== undefined && !policies.includes(options.ifExists))
        throw bad('--if-exists must be update, skip or raise');
      const items = readScheduleFile(options.file);
      const kairos = client(command);
      const applied: AppliedSchedule[] = [];
      let worst = 0;
      for (const { body, ifExists } of items) {
        const policy = (ifExists ?? options.ifExists) as IfExists | undefined;
        try {
          const outcome = await kairos.schedules.ensure(body, policy ? { if_exists: policy } : {});
          applied.push({ name: body.name, result: outcome.result, id: outcome.schedule.id, changed: outcome.changed });
        } catch (error) {
          if (!(error instanceof KairosApiError)) throw error;
          worst = Math.max(worst, error.status >= 400 && error.status < 500 ? 2 : 1);
          applied.push({
            name: body.name,
            result: 'error',
            id: null,
            changed: [],
            error: { code: error.code, message: error.message },
          });
        }
      }
      print(applied, json(command), (rows) => {
        printTable(
          rows.map((row) => ({ name: row.name, result: row.result, id: row.id, changed: row.changed.join(',') })),
          ['name', 'result', 'id', 'changed'],
        );
        for (const row of rows) if (row.error) process.stderr.write(`kairos: ${row.name}: ${row.error.message}\n`);
      });
      if (worst > 0) process.exitCode = worst;
    });
}
