import { Command } from 'commander';
import { connectionOptions, sdkClient } from './connection.ts';
import { assistantIdOf } from './assistant-ref.ts';
import { print } from './output.ts';
import { showRuns } from './schedules-command.ts';

/** `kairos runs list|get|cancel|replay` over the API. */
export function runsCommand(): Command {
  const runs = new Command('runs').description('runs (through the API: KAIROS_URL, KAIROS_API_KEY)');
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;

  runs
    .command('list')
    .option('--schedule <id>', 'one schedule’s runs')
    .option('--assistant <id-or-name>', 'one assistant’s runs (its id, or its unique name)')
    .option('--status <status>', 'pending, running, success, error, timeout, cancelled or skipped')
    .option('--trigger <trigger>', 'schedule, manual, api or retry')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { schedule?: string; assistant?: string; status?: string; trigger?: string; limit: string },
        command: Command,
      ) => {
        const page = await client(command).runs.list({
          schedule_id: options.schedule,
          assistant_id: options.assistant && (await assistantIdOf(client(command), options.assistant)),
          status: options.status,
          trigger: options.trigger,
          limit: Number(options.limit),
        });
        print(page, json(command), (value) => showRuns(value.data));
      },
    );

  runs
    .command('get')
    .description('a run with its events')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).runs.get(id), json(command), (run) => {
        showRuns([run]);
        if (run.error) process.stdout.write(`\nerror: ${run.error}\n`);
        if (run.output !== null && run.output !== undefined)
          process.stdout.write(`\noutput: ${JSON.stringify(run.output, null, 2)}\n`);
        for (const event of run.events)
          process.stdout.write(`${event.at}  ${event.kind}  ${JSON.stringify(event.data ?? null)}\n`);
      });
    });

  runs
    .command('cancel')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).runs.cancel(id), json(command), (run) => showRuns([run]));
    });

  runs
    .command('replay')
    .description('a new run of the same workflow version reusing the outputs of the nodes before --from-step')
    .argument('<id>')
    .option('--from-step <name>', 'the node (name or key) to run again from; the nodes before it are reused')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { fromStep?: string }, command: Command) => {
      const body = options.fromStep === undefined ? {} : { from_step: options.fromStep };
      print(await client(command).runs.replay(id, body), json(command), (run) => showRuns([run]));
    });

  return runs;
}
