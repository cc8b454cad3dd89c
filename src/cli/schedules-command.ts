import { Command } from 'commander';
import type { Schedule, ScheduleCreate, ScheduleUpdate } from '../api/schemas/schedules.ts';
import type { Run } from '../api/schemas/runs.ts';
import type { PrecheckTestRequest } from '../api/schemas/prechecks.ts';
import { connectionOptions, sdkClient } from './connection.ts';
import { assistantIdOf } from './assistant-ref.ts';
import { parseJsonObject, parseJsonOrText } from './json-argument.ts';
import { print, printTable } from './output.ts';
import { addApplyCommand } from './schedules-apply.ts';

const when = (schedule: Schedule['schedule']) =>
  'cron' in schedule
    ? `${schedule.cron} (${schedule.timezone})`
    : 'at' in schedule
      ? `at ${schedule.at}`
      : `every ${schedule.every}s`;

export const showSchedules = (schedules: Schedule[]) =>
  printTable(
    schedules.map((s) => ({
      id: s.id,
      name: s.name,
      schedule: when(s.schedule),
      status: s.status,
      next_run: s.next_run_at,
      last: s.last_run_status,
    })),
    ['id', 'name', 'schedule', 'status', 'next_run', 'last'],
  );

export const showRuns = (runs: Run[]) =>
  printTable(
    runs.map((r) => ({
      id: r.id,
      status: r.status,
      trigger: r.trigger,
      scheduled_for: r.scheduled_for,
      duration_ms: r.duration_ms,
      error: r.error_kind,
    })),
    ['id', 'status', 'trigger', 'scheduled_for', 'duration_ms', 'error'],
  );

/** `kairos schedules …` over the API (KAIROS_URL, KAIROS_API_KEY). */
export function schedulesCommand(): Command {
  const schedules = new Command('schedules').description('schedules (through the API: KAIROS_URL, KAIROS_API_KEY)');
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;

  schedules
    .command('list')
    .option('--assistant <id-or-name>', 'one assistant’s schedules (its id, or its unique name)')
    .option('--status <status>', 'active, paused or completed')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { assistant?: string; status?: string; limit: string }, command: Command) => {
      const page = await client(command).schedules.list({
        assistant_id: options.assistant && (await assistantIdOf(client(command), options.assistant)),
        status: options.status,
        limit: Number(options.limit),
      });
      print(page, json(command), (value) => showSchedules(value.data));
    });

  schedules
    .command('get')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).schedules.get(id), json(command), (value) => showSchedules([value]));
    });

  schedules
    .command('create')
    .description("create a schedule: flags, or the whole body with --data '{…}' (or --data @file.json)")
    .option('--assistant <id-or-name>', 'the assistant to run (its id, or its unique name)')
    .option('--cron <expr>', 'cron expression')
    .option('--at <iso>', 'one time, ISO-8601')
    .option('--every <duration>', 'interval: seconds, "15m", "PT1H"')
    .option('--timezone <zone>', 'IANA time zone (default UTC)')
    .option('--name <name>', 'a name unique among your schedules')
    .option('--input <json>', 'input_template (JSON, or plain text)')
    .option('--data <json>', 'the request body (flags override its fields)')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | undefined>, command: Command) => {
      const body: Record<string, unknown> = options.data ? parseJsonObject(options.data, '--data') : {};
      if (options.assistant) body.assistant_id = await assistantIdOf(client(command), options.assistant);
      const spec = {
        ...(options.cron && { cron: options.cron }),
        ...(options.at && { at: options.at }),
        ...(options.every && { every: /^\d+$/.test(options.every) ? Number(options.every) : options.every }),
        ...(options.timezone && { timezone: options.timezone }),
      };
      if (Object.keys(spec).length > 0) body.schedule = spec;
      if (options.name) body.name = options.name;
      if (options.input !== undefined) body.input_template = parseJsonOrText(options.input);
      print(await client(command).schedules.create(body as ScheduleCreate), json(command), (value) =>
        showSchedules([value]),
      );
    });

  schedules
    .command('test-precheck')
    .description('run a precheck once now and show its response and verdict; nothing is stored (docs/gates.md)')
    .requiredOption('--data <json>', '{"precheck": {"http"?: {"url"}, "condition"}, "input"?: …}')
    .option('--json', 'print JSON')
    .action(async (options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as PrecheckTestRequest;
      print(await client(command).schedules.testPrecheck(body), json(command), (result) =>
        process.stdout.write(
          `${result.verdict === null ? `failed: ${result.error}` : `verdict: ${result.verdict}`} → ${result.decision}` +
            `${result.response ? ` (status ${result.response.status}, ${result.ms} ms)` : ''}\n`,
        ),
      );
    });

  schedules
    .command('update')
    .argument('<id>')
    .requiredOption('--data <json>', 'the fields to change, e.g. \'{"schedule":{"cron":"0 8 * * *"}}\'')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as ScheduleUpdate;
      print(await client(command).schedules.update(id, body), json(command), (value) => showSchedules([value]));
    });

  schedules
    .command('pause')
    .argument('<id>')
    .option('--note <text>', 'why: shown on the schedule, with who paused it and when, until it is resumed')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { note?: string }, command: Command) => {
      const paused = await client(command).schedules.pause(
        id,
        options.note === undefined ? {} : { note: options.note },
      );
      print(paused, json(command), (value) => {
        showSchedules([value]);
        if (value.paused?.note) process.stdout.write(`note: ${value.paused.note}\n`);
      });
    });

  schedules
    .command('resume')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).schedules.resume(id), json(command), (value) => showSchedules([value]));
    });

  schedules
    .command('backfill')
    .description('create one run per occurrence in (from, to] that has no run yet (at most 1,000 per call)')
    .argument('<id>')
    .requiredOption('--from <iso>', 'start of the window, exclusive (ISO-8601, e.g. 2026-03-01T00:00:00Z)')
    .requiredOption('--to <iso>', 'end of the window, inclusive, not in the future')
    .option(
      '--overlap <mode>',
      'queue (default: each run waits for a free slot) or obey (the schedule’s overlap policy)',
    )
    .option('--dry-run', 'only count the runs it would create')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        options: { from: string; to: string; overlap?: string; dryRun?: boolean },
        command: Command,
      ) => {
        const result = await client(command).schedules.backfill(id, {
          from: options.from,
          to: options.to,
          ...(options.overlap !== undefined && { overlap: options.overlap as 'queue' | 'obey' }),
          ...(options.dryRun && { dry_run: true }),
        });
        print(result, json(command), (value) => {
          const verb = value.dry_run ? 'would create' : 'created';
          const runs = value.runs === 1 ? '1 run' : `${value.runs} runs`;
          process.stdout.write(
            `${verb} ${runs} for ${value.occurrences} occurrences in (${value.from}, ${value.to}]; ${value.existing} already had a run\n`,
          );
          for (const at of value.scheduled_for) process.stdout.write(`  ${at}\n`);
        });
      },
    );

  schedules
    .command('trigger')
    .description('run a schedule now')
    .argument('<id>')
    .option('--input <json>', 'input for this run instead of the template')
    .option('--override', 'start even if the overlap policy would skip it')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { input?: string; override?: boolean }, command: Command) => {
      const run = await client(command).schedules.trigger(id, {
        ...(options.input !== undefined && { input: parseJsonOrText(options.input) }),
        ...(options.override && { overlap: 'override' as const }),
      });
      print(run, json(command), (value) => showRuns([value]));
    });

  schedules
    .command('delete')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      await client(command).schedules.delete(id);
      print({ deleted: true, id }, json(command), () => process.stdout.write(`deleted ${id}\n`));
    });

  schedules
    .command('runs')
    .argument('<id>')
    .option('--status <status>', 'only runs with this status')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { status?: string; limit: string }, command: Command) => {
      const page = await client(command).schedules.runs(id, { status: options.status, limit: Number(options.limit) });
      print(page, json(command), (value) => showRuns(value.data));
    });

  addApplyCommand(schedules, client, json);

  return schedules;
}
