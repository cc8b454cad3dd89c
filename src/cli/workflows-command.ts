import { Command } from 'commander';
import type { Workflow } from '../api/schemas/workflows.ts';
import { KairosApiError } from '../sdk/errors.ts';
import type { Kairos, RunWithEvents } from '../sdk/index.ts';
import { connectionOptions, sdkClient } from './connection.ts';
import { parseJsonObject, parseJsonOrText } from './json-argument.ts';
import { print, printTable } from './output.ts';
import { showRuns } from './schedules-command.ts';

const terminal = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

const showWorkflows = (workflows: Workflow[]) =>
  printTable(
    workflows.map((w) => ({
      id: w.id,
      name: w.name,
      status: w.status,
      version: w.version,
      source: w.source,
      steps: w.definition.steps.length,
    })),
    ['id', 'name', 'status', 'version', 'source', 'steps'],
  );

/**
 * A 422 `invalid_workflow` carries every problem in `details.errors`; the API's message names only
 * the first, so the CLI lists them all, each with its path, to fix the file in one go.
 */
function withProblems(error: unknown): never {
  const problems =
    (error instanceof KairosApiError && (error.details as { errors?: unknown } | undefined)?.errors) || undefined;
  if (error instanceof KairosApiError && Array.isArray(problems)) {
    const lines = (problems as Array<{ path?: string; message?: string }>).map(
      (p) => `  ${p.path ?? '?'}: ${p.message ?? ''}`,
    );
    throw new KairosApiError(
      error.status,
      error.code,
      `invalid workflow (${lines.length} problem(s)):\n${lines.join('\n')}`,
      error.details,
    );
  }
  throw error;
}

/** Polls the run until it ends. The API has no wait for workflow runs; the poll is the CLI's own. */
async function waitForRun(kairos: Kairos, id: string, timeoutMs: number): Promise<RunWithEvents> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    const run = await kairos.runs.get(id);
    if (terminal.has(run.status)) return run;
    if (Date.now() >= deadline)
      throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms (see kairos runs get ${id})`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** `kairos workflows list|get|create|update|delete|validate|run|runs` over the API. */
export function workflowsCommand(): Command {
  const workflows = new Command('workflows').description('workflows (through the API: KAIROS_URL, KAIROS_API_KEY)');
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;
  const definitionFile = (file: string) => parseJsonObject(`@${file}`, '--file');

  workflows
    .command('list')
    .option('--name <text>', 'part of the name')
    .option('--search <text>', 'part of the name or the description')
    .option('--status <status>', 'active or inactive')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { name?: string; search?: string; status?: 'active' | 'inactive'; limit: string },
        command: Command,
      ) => {
        const page = await client(command).workflows.list({
          name: options.name,
          search: options.search,
          status: options.status,
          limit: Number(options.limit),
        });
        print(page, json(command), (value) => showWorkflows(value.data));
      },
    );

  workflows
    .command('get')
    .description('a workflow with its definition')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).workflows.get(id), json(command), (workflow) => {
        showWorkflows([workflow]);
        process.stdout.write(`\n${JSON.stringify(workflow.definition, null, 2)}\n`);
      });
    });

  workflows
    .command('create')
    .description('create a workflow from a JSON definition file ({name, description?, steps, metadata?})')
    .requiredOption('-f, --file <file.json>', 'the definition')
    .option('--json', 'print JSON')
    .action(async (options: { file: string }, command: Command) => {
      const created = await client(command)
        .workflows.create(definitionFile(options.file) as never)
        .catch(withProblems);
      print(created, json(command), (workflow) => showWorkflows([workflow]));
    });

  workflows
    .command('update')
    .description('change a workflow from a JSON file (any of name, description, steps, metadata, status)')
    .argument('<id>')
    .requiredOption('-f, --file <file.json>', 'the change')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { file: string }, command: Command) => {
      const updated = await client(command).workflows.update(id, definitionFile(options.file)).catch(withProblems);
      print(updated, json(command), (workflow) => showWorkflows([workflow]));
    });

  workflows
    .command('delete')
    .argument('<id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      await client(command).workflows.delete(id);
      process.stdout.write(`deleted ${id}\n`);
    });

  workflows
    .command('validate')
    .description('check a definition file without saving it (exit 2 and every problem with its path when invalid)')
    .requiredOption('-f, --file <file.json>', 'the definition')
    .option('--json', 'print JSON')
    .action(async (options: { file: string }, command: Command) => {
      const answer = await client(command).workflows.validate(definitionFile(options.file)).catch(withProblems);
      print(answer, json(command), () => process.stdout.write('valid\n'));
    });

  workflows
    .command('run')
    .description('run a workflow now; with --wait, until it ends (prints its output; exit 1 when it did not succeed)')
    .argument('<id>')
    .option('--input <json>', 'the workflow input (JSON, or plain text)')
    .option('--wait', 'wait for the run to end')
    .option('--wait-timeout <seconds>', 'give up waiting after this long', '600')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { input?: string; wait?: boolean; waitTimeout: string }, command: Command) => {
      const kairos = client(command);
      const run = await kairos.workflows.run(
        id,
        options.input === undefined ? {} : { input: parseJsonOrText(options.input) },
      );
      if (!options.wait) {
        print(run, json(command), (value) => showRuns([value]));
        return;
      }
      const ended = await waitForRun(kairos, run.id, Number(options.waitTimeout) * 1_000);
      print(ended, json(command), (value) => {
        showRuns([value]);
        if (value.error) process.stdout.write(`\nerror: ${value.error}\n`);
        if (value.output !== null && value.output !== undefined)
          process.stdout.write(`\noutput: ${JSON.stringify(value.output, null, 2)}\n`);
      });
      if (ended.status !== 'success') process.exitCode = 1;
    });

  workflows
    .command('runs')
    .description("a workflow's runs, newest first")
    .argument('<id>')
    .option('--status <status>', 'pending, running, success, error, timeout, cancelled or skipped')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { status?: string; limit: string }, command: Command) => {
      const page = await client(command).workflows.runs(id, { status: options.status, limit: Number(options.limit) });
      print(page, json(command), (value) => showRuns(value.data));
    });

  return workflows;
}
