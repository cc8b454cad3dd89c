import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { KairosError } from '../errors.ts';
import { version } from '../version.ts';
import { cronCommand } from './cron-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { serveCommand } from './serve-command.ts';

/** The `kairos` command line. Exit status: 0 ok, 1 failure, 2 bad input. */
export function buildProgram(): Command {
  return new Command('kairos')
    .description('Kairos: a scheduler and run engine for AI agents')
    .version(version)
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(cronCommand());
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram();
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
    const bad = error instanceof ConfigError || (error instanceof KairosError && error.status < 500);
    process.stderr.write(`kairos: ${(error as Error).message}\n`);
    process.exitCode = bad ? 2 : 1;
  }
}
