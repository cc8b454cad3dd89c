import { Command, CommanderError, Help } from 'commander';
import { KairosError } from '../errors.ts';
import { KairosApiError } from '../sdk/errors.ts';
import { version } from '../version.ts';
import { cliCommands, commandNameIn } from './commands.ts';

/**
 * The `kairos` command line, with the command `argv` names loaded and the others as help-only
 * placeholders (see ./commands.ts): a start loads only what its command needs.
 * Exit status: 0 ok, 1 failure, 2 bad input.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const wanted = commandNameIn(argv.slice(2));
  const placeholderTerms = new Map<Command, string>();
  const program = new Command('kairos')
    .description('Kairos: a scheduler and run engine for AI agents')
    .version(version)
    .showHelpAfterError()
    .option(
      '--url <url>',
      'Kairos server for client commands (env KAIROS_URL; else http://HOST:PORT as `kairos serve` reads them, default http://127.0.0.1:7700)',
    )
    .option('--api-key <key>', 'API key for client commands (env KAIROS_API_KEY)')
    .option('--db', 'keys/users: act on the database directly even when a server is named')
    .configureHelp({
      subcommandTerm(this: Help, command: Command): string {
        return placeholderTerms.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
      },
    });
  for (const entry of cliCommands) {
    if (entry.name === wanted) {
      program.addCommand(await entry.load());
    } else {
      const placeholder = new Command(entry.name).description(entry.description);
      placeholderTerms.set(placeholder, entry.term);
      program.addCommand(placeholder);
    }
  }
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = await buildProgram(argv);
  const overrideExit = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(overrideExit);
  };
  overrideExit(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    // Loaded on failure only: config.ts brings zod, which `kairos cron` and `--help` do without.
    const { ConfigError } = await import('../config.ts');
    const bad =
      error instanceof ConfigError ||
      ((error instanceof KairosError || error instanceof KairosApiError) && error.status >= 400 && error.status < 500);
    process.stderr.write(`kairos: ${(error as Error).message}\n`);
    if (error instanceof KairosApiError && error.code === 'network_error') {
      process.stderr.write(
        'kairos: is the server running (`kairos serve`)? To use another one, pass --url or set KAIROS_URL ' +
          '(e.g. KAIROS_URL=http://127.0.0.1:7741), or PORT/HOST as the server uses them.\n',
      );
    }
    process.exitCode = bad ? 2 : 1;
  }
}
