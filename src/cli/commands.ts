import type { Command } from 'commander';

/**
 * One top-level `kairos` command: how `kairos --help` lists it, and how to load it. Only the
 * command a user runs is loaded (`kairos cron …` never loads the database drivers or the HTTP
 * stack); the others appear in the help as placeholders with the same term and description.
 * test/cli/commands.test.ts checks that each entry matches the command it loads.
 */
export interface CliCommand {
  readonly name: string;
  /** The command as the help lists it: `sql [options] <query>`. */
  readonly term: string;
  readonly description: string;
  load(): Promise<Command>;
}

const entry = (term: string, description: string, load: () => Promise<Command>): CliCommand => ({
  name: term.split(' ')[0]!,
  term,
  description,
  load,
});

export const cliCommands: readonly CliCommand[] = [
  entry('serve [options]', 'serve the API and dashboard, fire schedules and execute runs', async () =>
    (await import('./serve-command.ts')).serveCommand(),
  ),
  entry(
    'migrate [options]',
    'apply pending database migrations (DATABASE_URL or the embedded data directory)',
    async () => (await import('./migrate-command.ts')).migrateCommand(),
  ),
  entry('cron', 'check cron expressions: next fire times and plain-English descriptions', async () =>
    (await import('./cron-command.ts')).cronCommand(),
  ),
  entry('schedules', 'schedules (through the API: KAIROS_URL, KAIROS_API_KEY)', async () =>
    (await import('./schedules-command.ts')).schedulesCommand(),
  ),
  entry('runs', 'runs (through the API: KAIROS_URL, KAIROS_API_KEY)', async () =>
    (await import('./runs-command.ts')).runsCommand(),
  ),
  entry(
    'approvals',
    'approvals runs wait for: list, approve, reject (through the API: KAIROS_URL, KAIROS_API_KEY)',
    async () => (await import('./approvals-command.ts')).approvalsCommand(),
  ),
  entry('events', 'events that wake waiting runs (through the API: KAIROS_URL, KAIROS_API_KEY)', async () =>
    (await import('./events-command.ts')).eventsCommand(),
  ),
  entry('assistants', 'assistants (through the API: KAIROS_URL, KAIROS_API_KEY)', async () =>
    (await import('./assistants-command.ts')).assistantsCommand(),
  ),
  entry(
    'providers',
    'model providers and their shared limits (through the API: KAIROS_URL, KAIROS_API_KEY)',
    async () => (await import('./providers-command.ts')).providersCommand(),
  ),
  entry('triggers', 'inbound triggers: URLs whose signed deliveries start runs (through the API)', async () =>
    (await import('./triggers-command.ts')).triggersCommand(),
  ),
  entry('keys', 'API keys (on the database directly unless KAIROS_URL/--url names a server)', async () =>
    (await import('./keys-command.ts')).keysCommand(),
  ),
  entry('users', 'users and roles (on the database directly unless KAIROS_URL/--url names a server)', async () =>
    (await import('./users-command.ts')).usersCommand(),
  ),
  entry(
    'sql [options] <query>',
    'run one read-only SQL query (admins; tables and views in docs/data-model.md)',
    async () => (await import('./sql-command.ts')).sqlCommand(),
  ),
  entry(
    'mcp',
    'serve the scheduler tools over MCP on stdio, acting as the user of KAIROS_API_KEY (against KAIROS_URL, or on the database)',
    async () => (await import('./mcp-command.ts')).mcpCommand(),
  ),
  entry(
    'backup <file>',
    'write a backup of the embedded database (KAIROS_DATA_DIR) to <file>; stop the server first',
    async () => (await import('./backup-command.ts')).backupCommand(),
  ),
  entry(
    'restore [options] <file>',
    'restore the embedded database (KAIROS_DATA_DIR) from a backup made by `kairos backup`',
    async () => (await import('./backup-command.ts')).restoreCommand(),
  ),
  entry('workflows', 'workflows (through the API: KAIROS_URL, KAIROS_API_KEY)', async () =>
    (await import('./workflows-command.ts')).workflowsCommand(),
  ),
];

/** Global options that take a value: their value is not the command name. */
const optionsWithValue = new Set(['--url', '--api-key']);

/**
 * The top-level command `args` (argv without node and the script) names, or undefined (`--help`,
 * `--version`, nothing). `kairos help cron` names `cron`, whose help it shows.
 */
export function commandNameIn(args: readonly string[]): string | undefined {
  let helpAsked = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (arg.startsWith('-')) {
      if (optionsWithValue.has(arg)) i++;
      continue;
    }
    if (arg === 'help' && !helpAsked) {
      helpAsked = true;
      continue;
    }
    return arg;
  }
  return undefined;
}
