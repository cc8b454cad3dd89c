/** How CLI commands print: JSON (`--json`, for scripts) or a human table. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type Cell = string | number | boolean | null | undefined;

/** A plain aligned table; `-` for empty cells; "(none)" for no rows. */
export function printTable(rows: ReadonlyArray<Record<string, Cell>>, columns: readonly string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const text = (cell: Cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell));
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => text(row[column]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((column) => column.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((column) => text(row[column])))}\n`);
}

/** Prints `value` as JSON when asked, else through `human`. */
export function print<T>(value: T, json: boolean | undefined, human: (value: T) => void): void {
  if (json) printJson(value);
  else human(value);
}
