import { Command } from 'commander';
import { loadConfig } from '../config.ts';

/** `kairos migrate`: applies pending migrations to the configured database and exits. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply pending database migrations (DATABASE_URL or the embedded data directory)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const [{ openDatabase }, { migrate }] = await Promise.all([
        import('../store/open-database.ts'),
        import('../store/migrate.ts'),
      ]);
      const db = await openDatabase(config.database);
      try {
        const applied = await migrate(db);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ database: db.kind, schema: db.schema, applied })}\n`);
        } else if (applied.length === 0) {
          process.stdout.write(`database is up to date (${db.kind}, schema ${db.schema})\n`);
        } else {
          process.stdout.write(`applied ${applied.join(', ')} (${db.kind}, schema ${db.schema})\n`);
        }
      } finally {
        await db.close();
      }
    });
}
