import { Writable } from 'node:stream';

const levels: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields every line has, or that the message already says. */
const quiet = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * One JSON log line as a person reads it: `09:14:03 info  Kairos listening on http://… (pglite)`,
 * then the other fields as `key=value`. Lines that are not JSON pass through unchanged.
 */
export function humanLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const level = (levels[entry.level as number] ?? String(entry.level)).padEnd(5);
  const rest = Object.entries(entry)
    .filter(([key]) => !quiet.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object')
        return `err=${JSON.stringify((value as { message?: unknown }).message)}`;
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    });
  return [time, level, String(entry.msg ?? ''), ...rest].filter(Boolean).join(' ');
}

/** A destination for pino that prints {@link humanLogLine}s to `out` (a terminal). */
export function humanLogStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let buffered = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        out.write(`${humanLogLine(buffered.slice(0, newline))}\n`);
        buffered = buffered.slice(newline + 1);
      }
      done();
    },
  });
}
