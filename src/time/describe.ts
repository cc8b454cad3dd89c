import { MONTH_FULL_NAMES, WEEKDAY_FULL_NAMES, type CronField, type CronItem } from './cron-fields.ts';
import { parseCron, type ParseOptions, type ParsedCron } from './cron-parse.ts';

// English sentences in the style of cronstrue, built from the parsed fields: a time clause, a day
// clause and a month clause joined by commas ("At 09:00, Monday through Friday").

const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];
const pad = (value: number): string => String(value).padStart(2, '0');
const clock = (hour: number, minute: number, second?: number): string =>
  `${pad(hour)}:${pad(minute)}${second === undefined ? '' : `:${pad(second)}`}`;

function joinAnd(words: readonly string[], conjunction = 'and'): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

const plural = (count: number, unit: string): string => (count === 1 ? unit : `${count} ${unit}s`);
const isAll = (field: CronField): boolean => field.items.length === 1 && field.items[0]?.kind === 'all';
const onlyValues = (field: CronField): boolean => field.items.every((item) => item.kind === 'value');
const single = (field: CronField): CronItem | undefined => (field.items.length === 1 ? field.items[0] : undefined);

/** Last value a stepped range reaches: 10-50/15 stops at 40. */
const lastOf = (start: number, end: number, step: number): number => start + Math.floor((end - start) / step) * step;

/** "every 5 minutes", "at minutes 0 through 10", … for the second and minute fields. */
function unitClause(field: CronField, unit: 'second' | 'minute', max: number): string {
  const only = single(field);
  if (only?.kind === 'all') return `every ${unit}`;
  if (only?.kind === 'step') {
    const every = `every ${plural(only.step, unit)}`;
    return only.fromStar || only.start === 0 ? every : `${every} starting at ${unit} ${only.start}`;
  }
  if (only?.kind === 'range' && only.step > 1) {
    return `every ${plural(only.step, unit)} from ${unit} ${only.start} through ${lastOf(only.start, only.end, only.step)}`;
  }
  const parts = field.items.map((item) => {
    switch (item.kind) {
      case 'value':
        return String(item.value);
      case 'range':
        return item.step === 1
          ? `${item.start} through ${item.end}`
          : `${item.start} through ${item.end} every ${item.step}`;
      case 'step':
        return `${item.start} through ${max} every ${item.step}`;
      default:
        return `0 through ${max}`;
    }
  });
  const many = field.items.length > 1 || only?.kind !== 'value';
  return `at ${unit}${many ? 's' : ''} ${joinAnd(parts)}`;
}

/** The hours a clause is limited to (", between 09:00 and 17:59"), or '' for every hour. */
function hourLimit(hour: CronField): string {
  if (isAll(hour)) return '';
  const only = single(hour);
  if (only?.kind === 'value') return `between ${clock(only.value, 0)} and ${clock(only.value, 59)}`;
  if (only?.kind === 'range' && only.step === 1) return `between ${clock(only.start, 0)} and ${clock(only.end, 59)}`;
  if (only?.kind === 'step' && only.fromStar) return `every ${plural(only.step, 'hour')}`;
  if (only?.kind === 'step') return `every ${plural(only.step, 'hour')} from ${clock(only.start, 0)}`;
  if (only?.kind === 'range') {
    return `every ${plural(only.step, 'hour')} from ${clock(only.start, 0)} through ${clock(lastOf(only.start, only.end, only.step), 59)}`;
  }
  return `during the ${joinAnd(hour.values.map((value) => clock(value, 0)))} hours`;
}

function describeTime(parsed: ParsedCron): string {
  const { second, minute, hour } = parsed;
  const seconds = parsed.hasSeconds ? second : undefined;
  const secondIsZero =
    seconds === undefined || (onlyValues(seconds) && seconds.values.length === 1 && seconds.values[0] === 0);

  // Only plain values and few combinations: list the times.
  if (onlyValues(minute) && onlyValues(hour) && (seconds === undefined || onlyValues(seconds))) {
    const secondValues = secondIsZero ? [undefined] : (seconds?.values ?? [undefined]);
    const count = hour.values.length * minute.values.length * secondValues.length;
    if (count <= 8) {
      const times: string[] = [];
      for (const h of hour.values)
        for (const m of minute.values) for (const s of secondValues) times.push(clock(h, m, s));
      return `At ${joinAnd(times)}`;
    }
  }

  const minuteItem = single(minute);
  const limit = hourLimit(hour);
  const clauses: string[] = [];
  if (!secondIsZero && seconds !== undefined) {
    clauses.push(unitClause(seconds, 'second', 59));
    if (!isAll(minute)) {
      const stepped = minuteItem?.kind === 'step' || (minuteItem?.kind === 'range' && minuteItem.step > 1);
      clauses.push(`${unitClause(minute, 'minute', 59)}${limit === '' && !stepped ? ' past every hour' : ''}`);
    } else if (!isAll(seconds) && single(seconds)?.kind !== 'step') clauses[0] += ' past every minute';
    if (limit !== '') clauses.push(limit);
  } else if (minuteItem?.kind === 'value' && isAll(hour)) {
    clauses.push(minuteItem.value === 0 ? 'every hour' : `at minute ${minuteItem.value} past every hour`);
  } else if (
    minuteItem?.kind === 'value' &&
    single(hour)?.kind === 'step' &&
    (single(hour) as { fromStar: boolean }).fromStar
  ) {
    const step = (single(hour) as { step: number }).step;
    clauses.push(
      minuteItem.value === 0
        ? `every ${plural(step, 'hour')}`
        : `at minute ${minuteItem.value} past every ${plural(step, 'hour')}`,
    );
  } else if (minuteItem?.kind === 'value' && single(hour)?.kind === 'range') {
    const range = single(hour) as { start: number; end: number; step: number };
    const last = lastOf(range.start, range.end, range.step);
    clauses.push(
      `every ${plural(range.step, 'hour')} from ${clock(range.start, minuteItem.value)} through ${clock(last, minuteItem.value)}`,
    );
  } else {
    const minuteClause = unitClause(minute, 'minute', 59);
    const pastHour =
      !isAll(minute) && minuteItem?.kind !== 'step' && !(minuteItem?.kind === 'range' && minuteItem.step > 1);
    clauses.push(limit === '' && pastHour ? `${minuteClause} past every hour` : minuteClause);
    if (limit !== '') clauses.push(limit);
  }
  const sentence = clauses.join(', ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function dayOfMonthClause(field: CronField): string {
  const only = single(field);
  if (only?.kind === 'step' && only.fromStar) return `every ${plural(only.step, 'day')}`;
  if (onlyValues(field)) {
    return `on day${field.values.length > 1 ? 's' : ''} ${joinAnd(field.values.map(String))} of the month`;
  }
  const nouns = field.items.map((item) => {
    switch (item.kind) {
      case 'value':
        return `day ${item.value}`;
      case 'range':
        return item.step === 1
          ? `days ${item.start} through ${item.end}`
          : `every ${plural(item.step, 'day')} from day ${item.start} through ${lastOf(item.start, item.end, item.step)}`;
      case 'step':
        return `every ${plural(item.step, 'day')} from day ${item.start}`;
      case 'last-day':
        return item.offset === 0 ? 'the last day' : `${plural(item.offset, 'day')} before the last day`;
      case 'nearest-weekday':
        return `the weekday nearest day ${item.day}`;
      case 'last-weekday':
        return 'the last weekday';
      default:
        return 'every day';
    }
  });
  // "3 days before the last day of the month" reads without "on".
  return `${/^\d/.test(nouns[0] ?? '') ? '' : 'on '}${joinAnd(nouns)} of the month`;
}

function dayOfWeekClause(field: CronField, either: boolean): string {
  const name = (value: number): string => WEEKDAY_FULL_NAMES[value % 7] ?? String(value);
  const only = single(field);
  if (only?.kind === 'range' && only.step === 1)
    return `${either ? 'on ' : ''}${name(only.start)} through ${name(only.end)}`;
  if (field.items.every((item) => item.kind === 'value' || item.kind === 'step' || item.kind === 'range')) {
    return `${either ? 'on' : 'only on'} ${joinAnd(field.values.map(name))}`;
  }
  const nouns = field.items.map((item) => {
    switch (item.kind) {
      case 'nth-weekday':
        return `the ${ORDINALS[item.nth] ?? item.nth} ${name(item.weekday)} of the month`;
      case 'last-of-weekday':
        return `the last ${name(item.weekday)} of the month`;
      case 'value':
        return name(item.value);
      case 'range':
        return item.step === 1
          ? `${name(item.start)} through ${name(item.end)}`
          : `every ${ORDINALS[item.step] ?? item.step} day from ${name(item.start)} through ${name(item.end)}`;
      case 'step':
        return `every ${plural(item.step, 'day')} from ${name(item.start)}`;
      default:
        return 'every day';
    }
  });
  return `on ${joinAnd(nouns)}`;
}

function monthClause(field: CronField): string {
  const name = (value: number): string => MONTH_FULL_NAMES[value] ?? String(value);
  const only = single(field);
  if (only?.kind === 'all') return '';
  if (only?.kind === 'range' && only.step === 1) return `${name(only.start)} through ${name(only.end)}`;
  if (only?.kind === 'step' && (only.fromStar || only.start === 1)) return `every ${plural(only.step, 'month')}`;
  return `only in ${joinAnd(field.values.map(name))}`;
}

/**
 * An English sentence for an expression, e.g. `0 9 * * 1-5` → "At 09:00, Monday through
 * Friday". Throws {@link CronError} only for invalid expressions.
 *
 * @example describe('*\/15 * * * *') // "Every 15 minutes"
 */
export function describe(expression: string, options: ParseOptions = {}): string {
  const parsed = parseCron(expression, options);
  const { dayOfMonth, dayOfWeek } = parsed;
  const clauses = [describeTime(parsed)];
  const domRestricted = !isAll(dayOfMonth);
  const dowRestricted = !isAll(dayOfWeek);
  if (domRestricted && dowRestricted) {
    const either = parsed.dayRule === 'or';
    clauses.push(`${dayOfMonthClause(dayOfMonth)}${either ? ' or ' : ', '}${dayOfWeekClause(dayOfWeek, either)}`);
  } else if (domRestricted) clauses.push(dayOfMonthClause(dayOfMonth));
  else if (dowRestricted) clauses.push(dayOfWeekClause(dayOfWeek, false));
  const months = monthClause(parsed.month);
  if (months !== '') clauses.push(months);
  return clauses.join(', ');
}
