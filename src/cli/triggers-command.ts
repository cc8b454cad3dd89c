import { Command } from 'commander';
import type { Delivery, Trigger, TriggerCreate, TriggerUpdate } from '../api/schemas/triggers.ts';
import { KairosError } from '../errors.ts';
import { connectionOptions, sdkClient } from './connection.ts';
import { assistantIdOf } from './assistant-ref.ts';
import { parseJsonObject, parseJsonOrText } from './json-argument.ts';
import { print, printTable } from './output.ts';

/** The trigger's URL as senders reach it: absolute already (KAIROS_PUBLIC_URL), or on the server named. */
const fullUrl = (trigger: Trigger, base: string) =>
  /^https?:\/\//.test(trigger.url) ? trigger.url : `${base.replace(/\/+$/, '')}${trigger.url}`;

const showTriggers = (triggers: Trigger[], base: string) =>
  printTable(
    triggers.map((t) => ({
      id: t.id,
      name: t.name,
      auth: t.auth.type === 'bearer' ? 'bearer' : `hmac ${String(t.auth.format)}`,
      enabled: t.enabled ? 'yes' : 'no',
      deliveries: t.deliveries.total ?? 0,
      debounce: t.debounce ? `${t.debounce.period}${t.debounce.key ? ` per ${t.debounce.key}` : ''}` : '',
      url: fullUrl(t, base),
    })),
    ['id', 'name', 'auth', 'enabled', 'deliveries', 'debounce', 'url'],
  );

const showDeliveries = (deliveries: Delivery[]) =>
  printTable(
    deliveries.map((d) => ({
      received_at: d.received_at,
      outcome: d.outcome,
      status: d.http_status,
      run: d.run_id,
      run_status: d.run_status,
      reason: d.reason,
    })),
    ['received_at', 'outcome', 'status', 'run', 'run_status', 'reason'],
  );

interface CreateOptions {
  data?: string;
  name?: string;
  assistant?: string;
  workflow?: string;
  githubSecretEnv?: string;
  stripeSecretEnv?: string;
  tokenEnv?: string;
  input?: string;
  disabled?: boolean;
}

/** The create body from `--data`, or from the flags (one auth flag). */
function createBody(options: CreateOptions): TriggerCreate {
  if (options.data) return parseJsonObject(options.data, '--data') as TriggerCreate;
  const auths = [
    options.githubSecretEnv && {
      type: 'hmac-sha256' as const,
      header: 'X-Hub-Signature-256',
      secret: { env: options.githubSecretEnv },
    },
    options.stripeSecretEnv && {
      type: 'hmac-sha256' as const,
      header: 'Stripe-Signature',
      secret: { env: options.stripeSecretEnv },
    },
    options.tokenEnv && { type: 'bearer' as const, token: { env: options.tokenEnv } },
  ].filter(Boolean);
  if (!options.name || !options.assistant === !options.workflow || auths.length !== 1) {
    throw new KairosError(
      'invalid_request',
      'give --data, or --name, one of --assistant and --workflow, and one of --github-secret-env, --stripe-secret-env, --token-env',
      { status: 422 },
    );
  }
  return {
    name: options.name,
    ...(options.assistant ? { assistant_id: options.assistant } : { workflow_id: options.workflow! }),
    auth: auths[0] as TriggerCreate['auth'],
    ...(options.input !== undefined && {
      input_template: parseJsonOrText(options.input) as TriggerCreate['input_template'],
    }),
    ...(options.disabled && { enabled: false }),
  };
}

/** `kairos triggers list|get|create|update|delete|deliveries` over the API. */
export function triggersCommand(): Command {
  const triggers = new Command('triggers').description(
    'inbound triggers: URLs whose signed deliveries start runs (through the API)',
  );
  const client = (command: Command) => sdkClient(connectionOptions(command));
  const json = (command: Command) => connectionOptions(command).json;
  const base = (command: Command) => client(command).baseUrl;

  triggers
    .command('list')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string }, command: Command) => {
      const page = await client(command).triggers.list({ limit: Number(options.limit) });
      print(page, json(command), (value) => showTriggers(value.data, base(command)));
    });

  triggers
    .command('get')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      print(await client(command).triggers.get(id), json(command), (value) => showTriggers([value], base(command)));
    });

  triggers
    .command('create')
    .description("create a trigger: --name, --assistant or --workflow, and one auth flag, or --data '{…}' / @file.json")
    .option('--data <json>', 'the whole request body (see docs/triggers.md)')
    .option('--name <name>', 'the trigger name')
    .option('--assistant <id-or-name>', 'the assistant each delivery runs (its id, or its unique name)')
    .option('--workflow <id>', 'the workflow each delivery runs (instead of --assistant)')
    .option(
      '--github-secret-env <NAME>',
      'GitHub signatures (X-Hub-Signature-256), secret in this env variable of the server',
    )
    .option(
      '--stripe-secret-env <NAME>',
      'Stripe signatures (Stripe-Signature), secret in this env variable of the server',
    )
    .option('--token-env <NAME>', 'a bearer token, held in this env variable of the server')
    .option(
      '--input <template>',
      'the input template (JSON or text), e.g. \'{"repo":"{{event.body.repository.full_name}}"}\'',
    )
    .option('--disabled', 'create it disabled')
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const resolved = options.assistant
        ? { ...options, assistant: await assistantIdOf(client(command), options.assistant) }
        : options;
      const trigger = await client(command).triggers.create(createBody(resolved));
      print(trigger, json(command), (value) => showTriggers([value], base(command)));
    });

  triggers
    .command('update')
    .argument('<id>')
    .requiredOption('--data <json>', 'the fields to change')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data: string }, command: Command) => {
      const body = parseJsonObject(options.data, '--data') as TriggerUpdate;
      print(await client(command).triggers.update(id, body), json(command), (value) =>
        showTriggers([value], base(command)),
      );
    });

  triggers
    .command('delete')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: unknown, command: Command) => {
      await client(command).triggers.delete(id);
      print({ deleted: true, id }, json(command), () => process.stdout.write(`deleted ${id}\n`));
    });

  triggers
    .command('deliveries')
    .argument('<id>')
    .option(
      '--outcome <outcome>',
      'accepted, debounced, replayed, unauthorized, rate_limited, too_large, invalid, disabled, …',
    )
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { outcome?: Delivery['outcome']; limit: string }, command: Command) => {
      const page = await client(command).triggers.deliveries(id, {
        limit: Number(options.limit),
        ...(options.outcome && { outcome: options.outcome }),
      });
      print(page, json(command), (value) => showDeliveries(value.data));
    });

  return triggers;
}
