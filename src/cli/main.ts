import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { KairosError } from '../errors.ts';
import { KairosApiError } from '../sdk/errors.ts';
import { version } from '../version.ts';
import { assistantsCommand } from './assistants-command.ts';
import { backupCommand, restoreCommand } from './backup-command.ts';
import { cronCommand } from './cron-command.ts';
import { keysCommand } from './keys-command.ts';
import { mcpCommand } from './mcp-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { runsCommand } from './runs-command.ts';
import { schedulesCommand } from './schedules-command.ts';
import { serveCommand } from './serve-command.ts';
import { triggersCommand } from './triggers-command.ts';
import { sqlCommand } from './sql-command.ts';
import { usersCommand } from './users-command.ts';

/** The `kairos` command line. Exit status: 0 ok, 1 failure, 2 bad input. */
export function buildProgram(): Command {
  return new Command('kairos')
    .description('Kairos: a scheduler and run engine for AI agents')
    .version(version)
    .showHelpAfterError()
    .option('--url <url>', 'Kairos server for client commands (env KAIROS_URL, default http://127.0.0.1:7700)')
    .option('--api-key <key>', 'API key for client commands (env KAIROS_API_KEY)')
    .option('--db', 'keys/users: act on the database directly even when a server is named')
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(cronCommand())
    .addCommand(schedulesCommand())
    .addCommand(runsCommand())
    .addCommand(assistantsCommand())
    .addCommand(triggersCommand())
    .addCommand(keysCommand())
    .addCommand(usersCommand())
    .addCommand(sqlCommand())
    .addCommand(mcpCommand())
    .addCommand(backupCommand())
    .addCommand(restoreCommand());
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
    const bad =
      error instanceof ConfigError ||
      ((error instanceof KairosError || error instanceof KairosApiError) && error.status >= 400 && error.status < 500);
    process.stderr.write(`kairos: ${(error as Error).message}\n`);
    process.exitCode = bad ? 2 : 1;
  }
}
