import { Command } from 'commander';
import {
  compileCron,
  CronError,
  describe,
  validateTimeZone,
  wallDateInZone,
  wallTimeToInstant,
} from '../time/index.ts';

const MAX_COUNT = 1000;

/** Refusals of bad input: printed as `kairos: …`, exit status 2. */
class UsageError extends Error {}

function fail(error: unknown): void {
  if (error instanceof CronError || error instanceof UsageError || error instanceof RangeError) {
    process.stderr.write(`kairos: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  throw error;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `--from`: an ISO-8601 instant; without an offset it is a wall time in the zone. */
function parseFrom(text: string | undefined, timezone: string): Date {
  if (text === undefined) return new Date();
  const match = ISO.exec(text.trim());
  const bad = new UsageError(
    `--from: "${text}" is not an ISO-8601 date-time (e.g. 2026-03-08T01:30:00Z, or 2026-03-08T01:30 in --tz)`,
  );
  if (!match) throw bad;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  };
  if (
    fields.month < 1 ||
    fields.month > 12 ||
    fields.day < 1 ||
    fields.day > 31 ||
    fields.hour > 23 ||
    fields.minute > 59 ||
    fields.second > 59
  ) {
    throw bad;
  }
  const millis = fraction === '' ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  if (zone !== undefined) {
    const date = new Date(text.trim().replace(' ', 'T'));
    if (Number.isNaN(date.getTime()) || date.getUTCDate() === 0) throw bad;
    return date;
  }
  return new Date(wallTimeToInstant(fields, timezone) + millis);
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 5;
  const count = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(count >= 1 && count <= MAX_COUNT))
    throw new UsageError(`--count: "${text}" is not a whole number 1-${MAX_COUNT}`);
  return count;
}

function zoneAbbreviation(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' }).formatToParts(instant);
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? timezone;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `2026-11-23 09:00:00 EST (America/New_York)   2026-11-23T14:00:00.000Z` */
function formatFire(instant: Date, timezone: string): string {
  const wall = wallDateInZone(instant.getTime(), timezone);
  const local = `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
  return `${local} ${zoneAbbreviation(instant, timezone)} (${timezone})   ${instant.toISOString()}`;
}

interface NextOptions {
  tz: string;
  from?: string;
  count?: string;
  seconds?: boolean;
  json?: boolean;
}

function nextCommand(): Command {
  return new Command('next')
    .description('print the next fire times of a cron expression, in its zone and in UTC')
    .argument('<expression...>', 'cron expression, quoted: "0 9 * * MON-FRI"')
    .option('--tz <zone>', 'IANA time zone of the expression', 'UTC')
    .option('--from <iso>', 'start after this ISO-8601 time (default now; without an offset, a wall time in --tz)')
    .option('--count <n>', `how many fire times, 1-${MAX_COUNT}`, '5')
    .option('--seconds', 'allow 6 fields, seconds first')
    .option('--json', 'print {"expression","timezone","next":[ISO-8601 UTC…]} and nothing else')
    .action((words: string[], options: NextOptions) => {
      try {
        const expression = words.join(' ');
        const timezone = validateTimeZone(options.tz);
        const count = parseCount(options.count);
        const from = parseFrom(options.from, timezone);
        const schedule = compileCron(expression, timezone, { seconds: options.seconds === true });
        const fires = schedule.next(from, count);
        if (options.json) {
          const next = fires.map((fire) => fire.toISOString());
          process.stdout.write(`${JSON.stringify({ expression, timezone, next })}\n`);
          return;
        }
        process.stdout.write(fires.map((fire) => `${formatFire(fire, timezone)}\n`).join(''));
        if (fires.length < count) {
          process.stderr.write(`kairos: only ${fires.length} fire time(s) within the 50-year search horizon\n`);
        }
      } catch (error) {
        fail(error);
      }
    });
}

function describeCommand(): Command {
  return new Command('describe')
    .description('describe a cron expression in English')
    .argument('<expression...>', 'cron expression, quoted: "*/15 * * * *"')
    .option('--seconds', 'allow 6 fields, seconds first')
    .action((words: string[], options: { seconds?: boolean }) => {
      try {
        process.stdout.write(`${describe(words.join(' '), { seconds: options.seconds === true })}\n`);
      } catch (error) {
        fail(error);
      }
    });
}

/** `kairos cron next|describe`: the cron engine on the command line (see docs/cron.md). */
export function cronCommand(): Command {
  return new Command('cron')
    .description('check cron expressions: next fire times and plain-English descriptions')
    .addCommand(nextCommand())
    .addCommand(describeCommand());
}
