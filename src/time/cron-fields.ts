// The six cron fields: their ranges, names and the parsed shape of each list item.

export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export interface CronFieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  /** Three-letter names (upper case) and their values, for month and day-of-week. */
  readonly names: ReadonlyMap<string, number>;
  /** What the field accepts, for error messages. */
  readonly allowed: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const common = '*, lists (1,2), ranges (1-5), steps (*/5, 1-30/5, 5/10)';

export const FIELD_SPECS: Readonly<Record<CronFieldName, CronFieldSpec>> = {
  second: { name: 'second', min: 0, max: 59, names: new Map(), allowed: `0-59, ${common}` },
  minute: { name: 'minute', min: 0, max: 59, names: new Map(), allowed: `0-59, ${common}` },
  hour: { name: 'hour', min: 0, max: 23, names: new Map(), allowed: `0-23, ${common}` },
  'day-of-month': {
    name: 'day-of-month',
    min: 1,
    max: 31,
    names: new Map(),
    allowed: `1-31, ${common}, L (last day), L-3, 15W (nearest weekday), LW`,
  },
  month: {
    name: 'month',
    min: 1,
    max: 12,
    names: new Map(MONTH_NAMES.map((name, index) => [name, index + 1])),
    allowed: `1-12 or JAN-DEC, ${common}`,
  },
  'day-of-week': {
    name: 'day-of-week',
    min: 0,
    max: 7,
    names: new Map(WEEKDAY_NAMES.map((name, index) => [name, index])),
    allowed: `0-7 (0 and 7 are Sunday) or SUN-SAT, ${common}, FRI#2 (second Friday), 5L (last Friday)`,
  },
};

/** One comma-separated item of a field, after parsing. Day-of-week 7 is already Sunday (0) in sets. */
export type CronItem =
  /** `*` or `?` */
  | { readonly kind: 'all' }
  | { readonly kind: 'value'; readonly value: number }
  /** `a-b` (step 1) or `a-b/n` */
  | { readonly kind: 'range'; readonly start: number; readonly end: number; readonly step: number }
  /** `*\/n` (fromStar) or `a/n`: from start to the field's maximum */
  | { readonly kind: 'step'; readonly start: number; readonly step: number; readonly fromStar: boolean }
  /** day-of-month `L` (offset 0) and `L-3` */
  | { readonly kind: 'last-day'; readonly offset: number }
  /** day-of-month `15W` */
  | { readonly kind: 'nearest-weekday'; readonly day: number }
  /** day-of-month `LW` */
  | { readonly kind: 'last-weekday' }
  /** day-of-week `FRI#2` */
  | { readonly kind: 'nth-weekday'; readonly weekday: number; readonly nth: number }
  /** day-of-week `5L` / `FRIL` */
  | { readonly kind: 'last-of-weekday'; readonly weekday: number };

export interface CronField {
  readonly name: CronFieldName;
  /** The field as written (after macro expansion). */
  readonly source: string;
  readonly items: readonly CronItem[];
  /** The field starts with `*` or `?`: unrestricted for the day rule, wild for the DST rule. */
  readonly star: boolean;
  /** Plain values the field matches (sorted, day-of-week 0-6), not counting L, W and # items. */
  readonly values: readonly number[];
}

export const MONTH_FULL_NAMES = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export const WEEKDAY_FULL_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
