import { Command } from 'commander';
import type { Provider, ProviderCreate, ProviderUpdate } from '../api/schemas/providers.ts';
import type { Kairos } from '../sdk/client.ts';
import { connectionOptions, sdkClient } from './connection.ts';
import { parseJsonObject } from './json-argument.ts';
import { print, printTable } from './output.ts';

const showProviders = (providers: Provider[]) =>
  printTable(
    providers.map((p) => ({
      id: p.id,
      name: p.name,
      base_url: p.base_url,
      key: p.api_key ? `env ${p.api_key.env}` : '',
      limits: limitsOf(p),
      usage: `${p.usage.requests} req, ${p.usage.tokens} tok /min, ${p.usage.running} running`,
      paused_until: p.paused_until ?? '',
    })),
    ['id', 'name', 'base_url', 'key', 'limits', 'usage', 'paused_until'],
  );

/** Its limits in a few characters: `60 rpm, 90000 tpm, 4 at once`; empty without limits. */
function limitsOf(p: Provider): string {
  return [
    p.rpm !== null && `${p.rpm} rpm`,
    p.tpm !== null && `${p.tpm} tpm`,
    p.max_concurrent !== null && `${p.max_concurrent} at once`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A provider's id from its id or its name (among the providers the caller sees). */
async function providerIdOf(client: Kairos, ref: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref)) return ref;
  const page = await client.providers.list({ limit: 1000 });
  const matches = page.data.filter((p) => p.name === ref);
  if (matches.length === 1) return matches[0]!.id;
  throw new Error(
    matches.length === 0
      ? `no provider named "${ref}": see kairos providers list`
      : `${matches.length} providers are named "${ref}" (of different owners): use the id`,
  );
}

/** `kairos providers list|get|create|update|delete` over the API. */
export function providersCommand(): Command {
  const providers = new Command('providers').description(
    'model providers and their shared limits (through the API: KAIROS_URL, KAIROS_API_KEY)',
  );
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;

  providers
    .command('list')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string }, command: Command) => {
      const page = await client(command).providers.list({ limit: Number(options.limit) });
      print(page, json(command), (value) => showProviders(value.data));
    });

  providers
    .command('get')
    .argument('<id-or-name>')
    .option('--json', 'print JSON')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const id = await providerIdOf(client(command), ref);
      print(await client(command).providers.get(id), json(command), (value) => showProviders([value]));
    });

  providers
    .command('create')
    .description(
      'create a provider: --data \'{"name":"openai","base_url":"https://api.openai.com/v1","api_key":{"env":"OPENAI_API_KEY"},"rpm":500,"tpm":200000}\' or @file.json',
    )
    .requiredOption('--data <json>', 'the request body')
    .option('--json', 'print JSON')
    .action(async (options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as ProviderCreate;
      print(await client(command).providers.create(body), json(command), (value) => showProviders([value]));
    });

  providers
    .command('update')
    .argument('<id-or-name>')
    .requiredOption('--data <json>', 'the fields to change (null removes a limit)')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as ProviderUpdate;
      const id = await providerIdOf(client(command), ref);
      print(await client(command).providers.update(id, body), json(command), (value) => showProviders([value]));
    });

  providers
    .command('delete')
    .argument('<id-or-name>')
    .option('--json', 'print JSON')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const id = await providerIdOf(client(command), ref);
      await client(command).providers.delete(id);
      print({ deleted: true, id }, json(command), () => process.stdout.write(`deleted ${id}\n`));
    });

  return providers;
}
