import { CronError } from './cron-error.ts';
import {
  FIELD_SPECS,
  MONTH_FULL_NAMES,
  type CronField,
  type CronFieldName,
  type CronFieldSpec,
  type CronItem,
} from './cron-fields.ts';
import { dayMaskIndex, dayMaskTable } from './day-mask.ts';

export interface ParseOptions {
  /** Allow a sixth field, seconds, in first position. Default false: 6 fields are refused. */
  seconds?: boolean;
}

/** A parsed expression: every field, the day rule and the DST class. */
export interface ParsedCron {
  /** The expression as given (trimmed). */
  readonly expression: string;
  /** True when the expression has a seconds field (6 fields). */
  readonly hasSeconds: boolean;
  /** For 5-field expressions and macros, second is the fixed value 0. */
  readonly second: CronField;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
  /** `or` when both day fields are restricted (Vixie), `and` otherwise. */
  readonly dayRule: 'or' | 'and';
  /**
   * Wild jobs (second, minute or hour field starts with `*`) skip wall times lost to DST and fire
   * twice in repeated ones; fixed jobs fire once in both cases.
   */
  readonly wild: boolean;
}

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MAX_EXPRESSION_LENGTH = 1024;
const FIVE_FIELDS = 'minute hour day-of-month month day-of-week';

function invalid(message: string, field?: string, value?: string): CronError {
  return new CronError('invalid_cron', field === undefined ? message : `${field}: ${message}`, {
    ...(field === undefined ? {} : { field }),
    ...(value === undefined ? {} : { value }),
  });
}

class ItemParser {
  constructor(
    private readonly spec: CronFieldSpec,
    private readonly raw: string,
  ) {}

  fail(message: string): CronError {
    return invalid(message, this.spec.name, this.raw);
  }

  /** A part of the upper-cased token as the user wrote it. */
  shown(part: string): string {
    const at = this.raw.toUpperCase().indexOf(part);
    return at >= 0 && this.raw.length === this.raw.toUpperCase().length ? this.raw.slice(at, at + part.length) : part;
  }

  malformed(): CronError {
    return this.fail(`"${this.raw}" is not valid; allowed: ${this.spec.allowed}`);
  }

  /** A number or a name, range-checked. */
  atom(text: string): number {
    if (text === '') throw this.malformed();
    if (/^\d+$/.test(text)) {
      const value = Number(text);
      if (value < this.spec.min || value > this.spec.max) {
        throw this.fail(
          `${text.length > 12 ? `${text.slice(0, 12)}…` : value} is outside ${this.spec.min}-${this.spec.max}`,
        );
      }
      return value;
    }
    const named = this.spec.names.get(text);
    if (named !== undefined) return named;
    if (/^[A-Z]+$/.test(text)) {
      const kind =
        this.spec.name === 'month' ? 'a month name' : this.spec.name === 'day-of-week' ? 'a weekday name' : 'a number';
      const where = text === this.raw.toUpperCase() ? '' : ` in "${this.raw}"`;
      throw this.fail(`"${this.shown(text)}"${where} is not ${kind}; allowed: ${this.spec.allowed}`);
    }
    throw this.malformed();
  }

  parse(): CronItem {
    const token = this.raw.toUpperCase();
    const special = this.special(token);
    if (special) return special;
    this.refuseMisplaced(token);

    const parts = token.split('/');
    if (parts.length > 2) throw this.malformed();
    const base = parts[0] ?? '';
    const stepText = parts[1];
    let step: number | undefined;
    if (stepText !== undefined) {
      if (/^(L|L-\d+|LW|\d+W|(\d+|[A-Z]{3})L)$/.test(base) || base.includes('#')) {
        throw this.fail(`"${this.raw}": a step cannot follow L, W or #`);
      }
      if (!/^\d+$/.test(stepText))
        throw this.fail(`step "${this.shown(stepText)}" in "${this.raw}" is not a whole number`);
      step = Number(stepText);
      // Like cronie, any positive step is valid: one larger than the span keeps just the start.
      if (step === 0) throw this.fail(`step 0 in "${this.raw}" is not allowed; a step must be 1 or more`);
    }
    if (base === '*' || base === '?') {
      if (step === undefined) return { kind: 'all' };
      return (
        this.single(this.spec.min, this.spec.max, step) ?? { kind: 'step', start: this.spec.min, step, fromStar: true }
      );
    }
    const dash = base.indexOf('-');
    if (dash >= 0) {
      const startText = base.slice(0, dash);
      const endText = base.slice(dash + 1);
      if (startText === '' || endText === '' || endText.includes('-')) throw this.malformed();
      const start = this.atom(startText);
      let end = this.atom(endText);
      // MON-SUN reads as Monday through Sunday: Sunday is also 7.
      if (this.spec.name === 'day-of-week' && end === 0 && start > 0) end = 7;
      if (start > end) {
        throw this.fail(
          `range ${startText}-${endText} is reversed (${start} is after ${end}); ` +
            `write it as two ranges, e.g. ${start}-${this.spec.max},${this.spec.min}-${end}`,
        );
      }
      return (
        (step === undefined ? undefined : this.single(start, end, step)) ?? {
          kind: 'range',
          start,
          end,
          step: step ?? 1,
        }
      );
    }
    const start = this.atom(base);
    if (step === undefined) return { kind: 'value', value: start };
    return this.single(start, this.spec.max, step) ?? { kind: 'step', start, step, fromStar: false };
  }

  /** A step that reaches no second value (`*\/90` in minutes) is just its start. */
  private single(start: number, end: number, step: number): CronItem | undefined {
    return start + step > end ? { kind: 'value', value: start } : undefined;
  }

  /** L, W and # items, in the fields that allow them. */
  private special(token: string): CronItem | undefined {
    if (this.spec.name === 'day-of-month') {
      if (token === 'L') return { kind: 'last-day', offset: 0 };
      if (token === 'LW') return { kind: 'last-weekday' };
      const last = /^L-(\d+)$/.exec(token);
      if (last) {
        const offset = Number(last[1]);
        if (offset > 30) throw this.fail(`${this.raw}: the offset after L- is ${offset}, outside 0-30`);
        return { kind: 'last-day', offset };
      }
      const nearest = /^(\d+)W$/.exec(token);
      if (nearest) {
        const day = Number(nearest[1]);
        if (day < 1 || day > 31) throw this.fail(`${this.raw}: the day before W is ${day}, outside 1-31`);
        return { kind: 'nearest-weekday', day };
      }
    }
    if (this.spec.name === 'day-of-week') {
      if (token === 'L')
        throw this.fail(`"L" alone is not allowed in day-of-week; write 5L or FRIL for the last Friday of the month`);
      const nth = /^([0-9A-Z]+)#(\d+)$/.exec(token);
      if (nth) {
        const weekday = this.atom(nth[1] ?? '') % 7;
        const n = Number(nth[2]);
        if (n < 1 || n > 5) throw this.fail(`${this.raw}: the occurrence after # is ${n}, outside 1-5`);
        return { kind: 'nth-weekday', weekday, nth: n };
      }
      const last = /^(\d+|[A-Z]{3})L$/.exec(token);
      if (last) return { kind: 'last-of-weekday', weekday: this.atom(last[1] ?? '') % 7 };
    }
    return undefined;
  }

  private refuseMisplaced(token: string): void {
    const name = this.spec.name;
    if (token.includes('#') && name !== 'day-of-week') {
      throw this.fail(`"${this.raw}": # (nth weekday, e.g. FRI#2) is only allowed in day-of-week`);
    }
    if (/^(\d+W|LW)$/.test(token)) {
      throw this.fail(`"${this.raw}": W (nearest weekday) is only allowed in day-of-month`);
    }
    if (name === 'day-of-week' && /^L-\d+$/.test(token)) {
      throw this.fail(`"${this.raw}": L-n (days before the last day) is only allowed in day-of-month`);
    }
    if (name === 'day-of-month' && /^(\d+|[A-Z]{3})L$/.test(token)) {
      throw this.fail(
        `"${this.raw}": a weekday followed by L (last Friday: 5L) belongs in day-of-week; in day-of-month use L or L-3`,
      );
    }
    if (name !== 'day-of-month' && name !== 'day-of-week' && /^(L|L-\d+|\d+L)$/.test(token)) {
      throw this.fail(`"${this.raw}": L (last) is only allowed in day-of-month and day-of-week`);
    }
  }
}

function expandValues(spec: CronFieldSpec, items: readonly CronItem[]): number[] {
  // Day-of-week spans 0-7 as in cronie (`*` is 0-7), so `5/2` is Friday and Sunday (7).
  const modulo = spec.name === 'day-of-week' ? 7 : Infinity;
  const stepEnd = spec.max;
  const set = new Set<number>();
  for (const item of items) {
    if (item.kind === 'all') for (let v = spec.min; v <= stepEnd; v++) set.add(v % modulo);
    else if (item.kind === 'value') set.add(item.value % modulo);
    else if (item.kind === 'range') for (let v = item.start; v <= item.end; v += item.step) set.add(v % modulo);
    else if (item.kind === 'step') for (let v = item.start; v <= stepEnd; v += item.step) set.add(v % modulo);
  }
  return [...set].sort((a, b) => a - b);
}

function parseField(name: CronFieldName, source: string): CronField {
  const spec = FIELD_SPECS[name];
  const items = source.split(',').map((raw) => {
    if (raw === '') throw invalid(`empty item in the list "${source}"`, name, source);
    return new ItemParser(spec, raw).parse();
  });
  const star = source.startsWith('*') || source.startsWith('?');
  return { name, source, items, star, values: expandValues(spec, items) };
}

function describeMonths(months: readonly number[]): string {
  const names = months.map((month) => MONTH_FULL_NAMES[month] ?? String(month));
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** Refuses expressions whose day fields can never match a day of their months (`0 0 30 2 *`). */
function refuseNeverFiring(parsed: Omit<ParsedCron, 'expression'>): void {
  const masks = dayMaskTable(parsed.dayOfMonth, parsed.dayOfWeek);
  for (const month of parsed.month.values) {
    const lengths = month === 2 ? [28, 29] : [4, 6, 9, 11].includes(month) ? [30] : [31];
    for (const length of lengths) {
      for (let firstWeekday = 0; firstWeekday < 7; firstWeekday++) {
        if (masks[dayMaskIndex(length, firstWeekday)] !== 0) return;
      }
    }
  }
  const field = parsed.dayOfMonth.star ? parsed.dayOfWeek : parsed.dayOfMonth;
  throw invalid(
    `"${field.source}" never matches a day in ${describeMonths(parsed.month.values)} (month "${parsed.month.source}"), ` +
      'so the expression can never fire',
    field.name,
    field.source,
  );
}

/**
 * Parses a cron expression: 5 fields (`minute hour day-of-month month day-of-week`), 6 with
 * seconds first when `options.seconds` is set, or a macro (`@daily`). Throws {@link CronError}.
 *
 * @example parseCron('0 9 * * MON-FRI').dayOfWeek.values // [1, 2, 3, 4, 5]
 */
export function parseCron(expression: string, options: ParseOptions = {}): ParsedCron {
  if (typeof expression !== 'string') throw invalid('a cron expression must be a string');
  const text = expression.trim();
  if (text === '') {
    throw invalid(`cron expression is empty; expected 5 fields (${FIVE_FIELDS}), e.g. "*/5 * * * *"`, undefined, '');
  }
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw invalid(`cron expression is ${text.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`);
  }
  let fields: string[];
  let hasSeconds = false;
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (macro === undefined) {
      const hint = text.toLowerCase() === '@reboot' ? ' (@reboot is not supported: schedules are time based)' : '';
      throw invalid(`unknown macro "${text}"${hint}; allowed: ${Object.keys(MACROS).join(', ')}`, undefined, text);
    }
    fields = macro.split(' ');
  } else {
    fields = text.split(/\s+/);
    if (fields.length === 6 && options.seconds) {
      hasSeconds = true;
    } else if (fields.length !== 5) {
      const expected = options.seconds
        ? `expected 5 or 6 fields ([second] ${FIVE_FIELDS})`
        : `expected 5 fields (${FIVE_FIELDS})`;
      const hint =
        fields.length === 6 && !options.seconds
          ? '; a 6-field expression with seconds first needs the seconds option (--seconds in the CLI)'
          : fields.length === 7
            ? '; a year field is not supported'
            : '';
      throw invalid(`${expected} but got ${fields.length} in "${text}"${hint}`, undefined, text);
    }
  }
  const at = (index: number): string => fields[hasSeconds ? index + 1 : index] ?? '';
  // Parsed left to right, so the first error reported is the leftmost one.
  const second = parseField('second', hasSeconds ? (fields[0] ?? '') : '0');
  const minute = parseField('minute', at(0));
  const hour = parseField('hour', at(1));
  const dayOfMonth = parseField('day-of-month', at(2));
  const month = parseField('month', at(3));
  const dayOfWeek = parseField('day-of-week', at(4));
  const parsed = {
    hasSeconds,
    second,
    minute,
    hour,
    dayOfMonth,
    month,
    dayOfWeek,
    dayRule: !dayOfMonth.star && !dayOfWeek.star ? ('or' as const) : ('and' as const),
    wild: (hasSeconds && second.star) || minute.star || hour.star,
  };
  refuseNeverFiring(parsed);
  return { expression: text, ...parsed };
}
