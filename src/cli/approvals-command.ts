import { Command } from 'commander';
import { connectionOptions, sdkClient } from './connection.ts';
import { parseJsonOrText } from './json-argument.ts';
import { print, printTable } from './output.ts';

/** `kairos approvals list|approve|reject` over the API (docs/waits.md). */
export function approvalsCommand(): Command {
  const approvals = new Command('approvals').description(
    'approvals runs wait for: list, approve, reject (through the API: KAIROS_URL, KAIROS_API_KEY)',
  );
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;

  approvals
    .command('list')
    .description('what you may decide, oldest first')
    .option('--status <status>', 'pending (default) or decided', 'pending')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { status: string; limit: string }, command: Command) => {
      const page = await client(command).approvals.list({
        status: options.status as 'pending' | 'decided',
        limit: Number(options.limit),
      });
      print(page, json(command), (value) =>
        printTable(
          value.data.map((a) => ({
            run: a.run_id,
            node: a.node,
            since: a.since,
            until: a.until,
            prompt: (a.prompt ?? '').replace(/\s+/g, ' ').slice(0, 60),
          })),
          ['run', 'node', 'since', 'until', 'prompt'],
        ),
      );
    });

  for (const [name, approved, done] of [
    ['approve', true, 'approved'],
    ['reject', false, 'rejected'],
  ] as const) {
    approvals
      .command(name)
      .description(`${name} the approval a run waits for`)
      .argument('<run-id>')
      .option('--comment <text>', 'a comment the next steps receive')
      .option('--data <json>', 'any JSON the next steps receive as `data`')
      .option('--json', 'print JSON')
      .action(async (runId: string, options: { comment?: string; data?: string }, command: Command) => {
        const run = await client(command).runs.decide(runId, {
          approved,
          ...(options.comment !== undefined && { comment: options.comment }),
          ...(options.data !== undefined && { data: parseJsonOrText(options.data) }),
        });
        print(run, json(command), (value) => process.stdout.write(`${done}: run ${value.id} is ${value.status}\n`));
      });
  }
  return approvals;
}
