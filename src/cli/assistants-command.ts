import { Command } from 'commander';
import type { Assistant, AssistantCreate, AssistantUpdate } from '../api/schemas/assistants.ts';
import { connectionOptions, sdkClient } from './connection.ts';
import { assistantIdOf } from './assistant-ref.ts';
import { parseJsonObject } from './json-argument.ts';
import { print, printTable } from './output.ts';

const showAssistants = (assistants: Assistant[]) =>
  printTable(
    assistants.map((a) => ({
      id: a.id,
      name: a.name,
      kind: a.kind,
      status: a.status,
      graph_id: a.graph_id,
      built_in: a.built_in ? 'yes' : '',
      limits: limitsOf(a),
    })),
    ['id', 'name', 'kind', 'status', 'graph_id', 'built_in', 'limits'],
  );

/** Its provider limits in a few characters: `2 at once, 30/min`; empty without limits. */
function limitsOf(a: Assistant): string {
  return [
    a.max_concurrent !== null && `${a.max_concurrent} at once`,
    a.rate_limit !== null && `${a.rate_limit}/min`,
    a.provider && `provider ${a.provider}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** `kairos assistants list|get|create|update|delete` over the API. */
export function assistantsCommand(): Command {
  const assistants = new Command('assistants').description('assistants (through the API: KAIROS_URL, KAIROS_API_KEY)');
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;

  assistants
    .command('list')
    .option('--kind <kind>', 'http, llm or module')
    .option('--name <text>', 'part of the name')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { kind?: string; name?: string; limit: string }, command: Command) => {
      const page = await client(command).assistants.list({
        kind: options.kind,
        name: options.name,
        limit: Number(options.limit),
      });
      print(page, json(command), (value) => showAssistants(value.data));
    });

  assistants
    .command('get')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).assistants.get(id), json(command), (value) => showAssistants([value]));
    });

  assistants
    .command('create')
    .description(
      'create an assistant from a JSON body: --data \'{"name":…,"kind":"http","config":{…},"max_concurrent":2,"rate_limit":30}\' or @file.json',
    )
    .requiredOption('--data <json>', 'the request body')
    .option('--json', 'print JSON')
    .action(async (options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as AssistantCreate;
      print(await client(command).assistants.create(body), json(command), (value) => showAssistants([value]));
    });

  assistants
    .command('update')
    .argument('<id>')
    .requiredOption('--data <json>', 'the fields to change')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as AssistantUpdate;
      print(await client(command).assistants.update(id, body), json(command), (value) => showAssistants([value]));
    });

  assistants
    .command('delete')
    .argument('<id-or-name>', 'its id, or its unique name')
    .option('--force', 'also delete the schedules and triggers that fire it')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { force?: boolean }, command: Command) => {
      id = await assistantIdOf(client(command), id);
      await client(command).assistants.delete(id, { force: options.force === true });
      print({ deleted: true, id }, json(command), () => process.stdout.write(`deleted ${id}\n`));
    });

  return assistants;
}
