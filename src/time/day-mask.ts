import type { CronField, CronItem } from './cron-fields.ts';

// Which days of a month match depends only on the month's length (28-31) and the weekday of its
// first day, so every expression compiles to 28 bitmasks (bit d = day d) computed once.

/** Index into a day-mask table for a month of `length` days starting on `firstWeekday` (0 = Sunday). */
export function dayMaskIndex(length: number, firstWeekday: number): number {
  return (length - 28) * 7 + firstWeekday;
}

const allDays = (length: number): number => (length === 31 ? 0xfffffffe | 0 : ((1 << (length + 1)) - 2) | 0);

function weekdayOf(day: number, firstWeekday: number): number {
  return (firstWeekday + day - 1) % 7;
}

function domItemMask(item: CronItem, length: number, firstWeekday: number): number {
  switch (item.kind) {
    case 'all':
      return allDays(length);
    case 'value':
      return item.value <= length ? 1 << item.value : 0;
    case 'range':
    case 'step': {
      const end = item.kind === 'range' ? item.end : 31;
      let mask = 0;
      for (let day = item.start; day <= end && day <= length; day += item.step) mask |= 1 << day;
      return mask;
    }
    case 'last-day': {
      const day = length - item.offset;
      return day >= 1 ? 1 << day : 0;
    }
    case 'nearest-weekday': {
      // Quartz rule: the weekday nearest the given day, never crossing into another month.
      const day = item.day;
      if (day > length) return 0;
      const weekday = weekdayOf(day, firstWeekday);
      if (weekday === 6) return 1 << (day === 1 ? 3 : day - 1);
      if (weekday === 0) return 1 << (day === length ? day - 2 : day + 1);
      return 1 << day;
    }
    case 'last-weekday': {
      const weekday = weekdayOf(length, firstWeekday);
      return 1 << (weekday === 6 ? length - 1 : weekday === 0 ? length - 2 : length);
    }
    default:
      return 0;
  }
}

function dowItemMask(item: CronItem, length: number, firstWeekday: number): number {
  const weekdays = (set: (weekday: number) => boolean): number => {
    let mask = 0;
    for (let day = 1; day <= length; day++) if (set(weekdayOf(day, firstWeekday))) mask |= 1 << day;
    return mask;
  };
  switch (item.kind) {
    case 'all':
      return allDays(length);
    case 'value':
      return weekdays((weekday) => weekday === item.value % 7);
    case 'range':
    case 'step': {
      const end = item.kind === 'range' ? item.end : 7;
      const wanted = new Set<number>();
      for (let value = item.start; value <= end; value += item.step) wanted.add(value % 7);
      return weekdays((weekday) => wanted.has(weekday));
    }
    case 'nth-weekday': {
      const first = 1 + ((item.weekday - firstWeekday + 7) % 7);
      const day = first + 7 * (item.nth - 1);
      return day <= length ? 1 << day : 0;
    }
    case 'last-of-weekday': {
      const lastWeekday = weekdayOf(length, firstWeekday);
      return 1 << (length - ((lastWeekday - item.weekday + 7) % 7));
    }
    default:
      return 0;
  }
}

function fieldMask(
  field: CronField,
  itemMask: (item: CronItem, length: number, firstWeekday: number) => number,
  length: number,
  firstWeekday: number,
): number {
  let mask = 0;
  for (const item of field.items) mask |= itemMask(item, length, firstWeekday);
  return mask;
}

/**
 * Days of a month that match, as a bitmask (bit d = day d). Vixie's rule: when both fields are
 * restricted (neither starts with `*` or `?`) a day matches if either does; otherwise both must.
 */
export function monthDayMask(
  dayOfMonth: CronField,
  dayOfWeek: CronField,
  length: number,
  firstWeekday: number,
): number {
  const dom = fieldMask(dayOfMonth, domItemMask, length, firstWeekday);
  const dow = fieldMask(dayOfWeek, dowItemMask, length, firstWeekday);
  const either = !dayOfMonth.star && !dayOfWeek.star;
  return (either ? dom | dow : dom & dow) & allDays(length);
}

/** The 28 masks of an expression, indexed by {@link dayMaskIndex}. */
export function dayMaskTable(dayOfMonth: CronField, dayOfWeek: CronField): Int32Array {
  const table = new Int32Array(28);
  for (let length = 28; length <= 31; length++) {
    for (let firstWeekday = 0; firstWeekday < 7; firstWeekday++) {
      table[dayMaskIndex(length, firstWeekday)] = monthDayMask(dayOfMonth, dayOfWeek, length, firstWeekday);
    }
  }
  return table;
}
