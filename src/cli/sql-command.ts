import { Command, Option } from 'commander';
import type { SqlAnswer } from '../api/schemas/sql.ts';
import { loadConfig } from '../config.ts';
import { readOnlyQuery } from '../observability/read-only-query.ts';
import {
  connectionOptions,
  sdkClient,
  serverUrl,
  usesServer,
  withDatabase,
  type ConnectionOptions,
} from './connection.ts';
import { printJson, printTable } from './output.ts';

type Format = 'table' | 'json' | 'csv';

/**
 * `kairos sql "<query>"`: one read-only query (admins). Goes through a server when one is named
 * (`--url`/KAIROS_URL) or when the embedded database is held by a server answering on this
 * machine; otherwise opens the database itself (DATABASE_URL, or the embedded data directory).
 */
export function sqlCommand(): Command {
  return new Command('sql')
    .description('run one read-only SQL query (admins; tables and views in docs/data-model.md)')
    .argument('<query>', 'one SELECT (or WITH … SELECT, VALUES, TABLE)')
    .option('--json', 'print the rows as JSON')
    .option('--csv', 'print CSV (a header line, then one line a row)')
    .addOption(new Option('--timeout <ms>', 'statement timeout in milliseconds').default(10_000).argParser(Number))
    .addOption(new Option('--max-rows <n>', 'at most this many rows').default(1000).argParser(Number))
    .action(
      async (
        query: string,
        options: { json?: boolean; csv?: boolean; timeout: number; maxRows: number },
        command: Command,
      ) => {
        const format: Format = options.csv ? 'csv' : options.json ? 'json' : 'table';
        const limits = { timeout_ms: options.timeout, max_rows: options.maxRows };
        const connection = connectionOptions(command);
        const answer = (await serverFor(connection))
          ? await sdkClient(connection).sql.query(query, limits)
          : await withDatabase((db, actor) =>
              readOnlyQuery(db, actor, query, { timeoutMs: limits.timeout_ms, maxRows: limits.max_rows }),
            );
        show(answer, format);
      },
    );
}

/** A named server; or, for the embedded database, a local server that holds it (it cannot be opened twice). */
async function serverFor(connection: ConnectionOptions): Promise<boolean> {
  if (usesServer(connection)) return true;
  if (connection.db || loadConfig().database.url) return false;
  try {
    const response = await fetch(`${serverUrl(connection)}/healthz`, { signal: AbortSignal.timeout(1000) });
    const health = (await response.json()) as { database?: string; data_dir?: string };
    return response.ok && health.database === 'pglite';
  } catch {
    return false;
  }
}

function show(answer: SqlAnswer, format: Format): void {
  if (format === 'json') printJson(answer.rows);
  else if (format === 'csv') {
    const lines = [answer.columns.map(csvCell).join(',')];
    for (const row of answer.rows) lines.push(answer.columns.map((column) => csvCell(row[column])).join(','));
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    printTable(
      answer.rows.map((row) => Object.fromEntries(answer.columns.map((column) => [column, cellText(row[column])]))),
      answer.columns,
    );
    process.stdout.write(
      `(${answer.row_count} row${answer.row_count === 1 ? '' : 's'}${answer.truncated ? ', more not shown: --max-rows' : ''})\n`,
    );
  }
  if (answer.truncated && format !== 'table')
    process.stderr.write(`kairos: only the first ${answer.row_count} rows (--max-rows)\n`);
}

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function csvCell(value: unknown): string {
  const text = cellText(value) ?? '';
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
