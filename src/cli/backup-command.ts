import { Command } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { KairosError } from '../errors.ts';

function embeddedOnly(config: Config, what: 'backup' | 'restore'): void {
  if (!config.database.url) return;
  const tool =
    what === 'backup'
      ? 'pg_dump --format=custom "$DATABASE_URL" > kairos.dump'
      : 'pg_restore --dbname "$DATABASE_URL" kairos.dump';
  throw new KairosError(
    'embedded_only',
    `kairos ${what} is for the embedded database; with DATABASE_URL use PostgreSQL's own tools, e.g. ${tool}`,
    { status: 400 },
  );
}

/** `kairos backup <file>`: a copy of the embedded database (PGlite's dump of its data directory). */
export function backupCommand(): Command {
  return new Command('backup')
    .description('write a backup of the embedded database (KAIROS_DATA_DIR) to <file>; stop the server first')
    .argument('<file>', 'where to write the backup (a gzipped tar of the data directory)')
    .action(async (file: string) => {
      const config = loadConfig();
      embeddedOnly(config, 'backup');
      const { backupPglite } = await import('../store/pglite-backup.ts');
      const bytes = await backupPglite(config.database.dataDir, file);
      process.stdout.write(`backed up ${config.database.dataDir} to ${file} (${bytes} bytes)\n`);
    });
}

/** `kairos restore <file>`: the embedded database from a backup, into an empty data directory (or `--force`). */
export function restoreCommand(): Command {
  return new Command('restore')
    .description('restore the embedded database (KAIROS_DATA_DIR) from a backup made by `kairos backup`')
    .argument('<file>', 'a backup made by `kairos backup`')
    .option('--force', 'replace a database already in the data directory')
    .action(async (file: string, options: { force?: boolean }) => {
      const config = loadConfig();
      embeddedOnly(config, 'restore');
      const { restorePglite } = await import('../store/pglite-backup.ts');
      await restorePglite(config.database.dataDir, file, options);
      process.stdout.write(`restored ${config.database.dataDir} from ${file}\n`);
    });
}
