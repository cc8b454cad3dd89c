import { describe, expect, it } from 'vitest';
import { CronError, parseCron, type ParseOptions } from '../../src/time/index.ts';

function refusal(expression: string, options?: ParseOptions): CronError {
  try {
    parseCron(expression, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CronError);
    return error as CronError;
  }
  throw new Error(`"${expression}" was accepted`);
}

describe('parseCron: accepted syntax', () => {
  it('expands lists, ranges and steps', () => {
    const parsed = parseCron('*/15 9-17/4 1,15,20-22 */5 *');
    expect(parsed.minute.values).toEqual([0, 15, 30, 45]);
    expect(parsed.hour.values).toEqual([9, 13, 17]);
    expect(parsed.dayOfMonth.values).toEqual([1, 15, 20, 21, 22]);
    expect(parsed.month.values).toEqual([1, 6, 11]);
    expect(parsed.dayOfWeek.values).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parsed.second.values).toEqual([0]);
    expect(parsed.hasSeconds).toBe(false);
  });

  it('reads 5/10 as from 5 every 10 to the maximum', () => {
    expect(parseCron('5/10 * * * *').minute.values).toEqual([5, 15, 25, 35, 45, 55]);
    expect(parseCron('0 0 10/7 * *').dayOfMonth.values).toEqual([10, 17, 24, 31]);
  });

  it('accepts any positive step, as cronie does: a step beyond the span keeps the start', () => {
    expect(parseCron('*/90 * * * *').minute.values).toEqual([0]);
    expect(parseCron('0-30/45 * * * *').minute.values).toEqual([0]);
    expect(parseCron('0 */25 * * *').hour.values).toEqual([0]);
    expect(parseCron('0 0 */45 * *').dayOfMonth.values).toEqual([1]);
    expect(parseCron('0 0 1 */13 *').month.values).toEqual([1]);
    expect(parseCron('0 0 * * 2/10').dayOfWeek.values).toEqual([2]);
    expect(parseCron('0 0 * * */8').dayOfWeek.values).toEqual([0]);
    // `*/90` still starts with `*`: a wild job for the DST rule.
    expect(parseCron('*/90 * * * *').wild).toBe(true);
    expect(parseCron('30 2 * * *').wild).toBe(false);
  });

  it('runs day-of-week steps over 0-7 as cronie does (7 is Sunday)', () => {
    expect(parseCron('0 0 * * 5/2').dayOfWeek.values).toEqual([0, 5]);
    expect(parseCron('0 0 * * 7/2').dayOfWeek.values).toEqual([0]);
    expect(parseCron('0 0 * * 1/2').dayOfWeek.values).toEqual([0, 1, 3, 5]);
    expect(parseCron('0 0 * * */2').dayOfWeek.values).toEqual([0, 2, 4, 6]);
    expect(parseCron('0 0 * * 1-7/2').dayOfWeek.values).toEqual([0, 1, 3, 5]);
    expect(parseCron('0 0 * * 6/1').dayOfWeek.values).toEqual([0, 6]);
  });

  it('reads month and weekday names in any case, also in ranges and steps', () => {
    const parsed = parseCron('0 0 * jan-MAR,Dec mon-fri/2');
    expect(parsed.month.values).toEqual([1, 2, 3, 12]);
    expect(parsed.dayOfWeek.values).toEqual([1, 3, 5]);
  });

  it('treats 7 as Sunday, also in ranges, and MON-SUN as the whole week', () => {
    expect(parseCron('0 0 * * 7').dayOfWeek.values).toEqual([0]);
    expect(parseCron('0 0 * * 5-7').dayOfWeek.values).toEqual([0, 5, 6]);
    expect(parseCron('0 0 * * MON-SUN').dayOfWeek.values).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('treats ? as *', () => {
    const parsed = parseCron('0 0 ? * ?');
    expect(parsed.dayOfMonth.star && parsed.dayOfWeek.star).toBe(true);
    expect(parsed.dayRule).toBe('and');
  });

  it('parses L, L-n, nW, LW, n#k and nL', () => {
    expect(parseCron('0 0 L,L-3,15W,LW * *').dayOfMonth.items).toEqual([
      { kind: 'last-day', offset: 0 },
      { kind: 'last-day', offset: 3 },
      { kind: 'nearest-weekday', day: 15 },
      { kind: 'last-weekday' },
    ]);
    expect(parseCron('0 0 * * FRI#2,5L,sunL,7#1').dayOfWeek.items).toEqual([
      { kind: 'nth-weekday', weekday: 5, nth: 2 },
      { kind: 'last-of-weekday', weekday: 5 },
      { kind: 'last-of-weekday', weekday: 0 },
      { kind: 'nth-weekday', weekday: 0, nth: 1 },
    ]);
  });

  it.each([
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ])('expands %s to %s', (macro, fields) => {
    const parsed = parseCron(macro.toUpperCase());
    expect(
      [parsed.minute, parsed.hour, parsed.dayOfMonth, parsed.month, parsed.dayOfWeek].map((f) => f.source).join(' '),
    ).toBe(fields);
  });

  it('takes a seconds field first only when allowed', () => {
    const parsed = parseCron('*/10 0 9 * * *', { seconds: true });
    expect(parsed.hasSeconds).toBe(true);
    expect(parsed.second.values).toEqual([0, 10, 20, 30, 40, 50]);
    expect(parsed.minute.values).toEqual([0]);
    expect(parsed.hour.values).toEqual([9]);
    expect(parseCron('0 9 * * *', { seconds: true }).hasSeconds).toBe(false);
  });

  it('classifies wild and fixed jobs by the first character of second, minute and hour', () => {
    expect(parseCron('*/5 * * * *').wild).toBe(true);
    expect(parseCron('0 * * * *').wild).toBe(true);
    expect(parseCron('30 2 * * *').wild).toBe(false);
    expect(parseCron('0-59 2 * * *').wild).toBe(false);
    expect(parseCron('@hourly').wild).toBe(true);
    expect(parseCron('@daily').wild).toBe(false);
    expect(parseCron('* 30 2 * * *', { seconds: true }).wild).toBe(true);
    expect(parseCron('0 30 2 * * *', { seconds: true }).wild).toBe(false);
  });

  it('applies Vixie day rule: OR only when neither day field starts with *', () => {
    expect(parseCron('0 0 1 * MON').dayRule).toBe('or');
    expect(parseCron('0 0 */2 * MON').dayRule).toBe('and');
    expect(parseCron('0 0 1 * *').dayRule).toBe('and');
  });

  it('accepts leap days and days that exist in some listed month', () => {
    expect(() => parseCron('0 0 29 2 *')).not.toThrow();
    expect(() => parseCron('0 0 31 1-2 *')).not.toThrow();
    expect(() => parseCron('0 0 30 2 MON')).not.toThrow(); // OR: any Monday of February
    expect(() => parseCron('0 0 * 2 MON#5')).not.toThrow(); // 29 February on a Monday
  });

  it('trims and accepts tabs and repeated spaces', () => {
    expect(parseCron(' \t0  9\t* * 1-5 ').expression).toBe('0  9\t* * 1-5');
  });
});

describe('parseCron: refusals name the field, the value and what is allowed', () => {
  it.each([
    ['0 25 * * *', 'hour', '25', 'hour: 25 is outside 0-23'],
    ['60 * * * *', 'minute', '60', 'minute: 60 is outside 0-59'],
    ['0 0 0 * *', 'day-of-month', '0', 'day-of-month: 0 is outside 1-31'],
    ['0 0 32 * *', 'day-of-month', '32', 'day-of-month: 32 is outside 1-31'],
    ['0 0 * 13 *', 'month', '13', 'month: 13 is outside 1-12'],
    ['0 0 * * 8', 'day-of-week', '8', 'day-of-week: 8 is outside 0-7'],
    ['60 * * * * *', 'second', '60', 'second: 60 is outside 0-59'],
    ['*/0 * * * *', 'minute', '*/0', 'minute: step 0 in "*/0" is not allowed; a step must be 1 or more'],
    [
      '0 22-2 * * *',
      'hour',
      '22-2',
      'hour: range 22-2 is reversed (22 is after 2); write it as two ranges, e.g. 22-23,0-2',
    ],
    ['0 0 * * FRI-MON', 'day-of-week', 'FRI-MON', 'reversed'],
    ['0 0 * FOO *', 'month', 'FOO', 'month: "FOO" is not a month name; allowed: 1-12 or JAN-DEC'],
    ['0 0 * * FOO', 'day-of-week', 'FOO', 'is not a weekday name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT'],
    ['0 0 * * mon-foo', 'day-of-week', 'mon-foo', 'day-of-week: "foo" in "mon-foo" is not a weekday name'],
    ['0 MON * * *', 'hour', 'MON', 'hour: "MON" is not a number; allowed: 0-23'],
    ['5- * * * *', 'minute', '5-', 'minute: "5-" is not valid; allowed: 0-59'],
    ['1,,2 * * * *', 'minute', '1,,2', 'minute: empty item in the list "1,,2"'],
    ['1-2-3 * * * *', 'minute', '1-2-3', 'is not valid'],
    ['*/5/2 * * * *', 'minute', '*/5/2', 'is not valid'],
    ['*/x * * * *', 'minute', '*/x', 'step "x" in "*/x" is not a whole number'],
    ['-5 * * * *', 'minute', '-5', 'is not valid'],
    ['0 0 15W * 1W', 'day-of-week', '1W', 'W (nearest weekday) is only allowed in day-of-month'],
    ['0 5W * * *', 'hour', '5W', 'W (nearest weekday) is only allowed in day-of-month'],
    ['0 0 5#2 * *', 'day-of-month', '5#2', '# (nth weekday, e.g. FRI#2) is only allowed in day-of-week'],
    ['L * * * *', 'minute', 'L', 'L (last) is only allowed in day-of-month and day-of-week'],
    ['0 0 * * L', 'day-of-week', 'L', '"L" alone is not allowed in day-of-week'],
    ['0 0 * * L-2', 'day-of-week', 'L-2', 'L-n (days before the last day) is only allowed in day-of-month'],
    ['0 0 5L * *', 'day-of-month', '5L', 'belongs in day-of-week'],
    ['0 0 L-31 * *', 'day-of-month', 'L-31', 'the offset after L- is 31, outside 0-30'],
    ['0 0 32W * *', 'day-of-month', '32W', 'the day before W is 32, outside 1-31'],
    ['0 0 * * FRI#6', 'day-of-week', 'FRI#6', 'the occurrence after # is 6, outside 1-5'],
    ['0 0 * * 8#1', 'day-of-week', '8#1', '8 is outside 0-7'],
    ['0 0 L/2 * *', 'day-of-month', 'L/2', 'a step cannot follow L, W or #'],
    [
      '0 0 30 2 *',
      'day-of-month',
      '30',
      'day-of-month: "30" never matches a day in February (month "2"), so the expression can never fire',
    ],
    ['0 0 31 4,6,9,11 *', 'day-of-month', '31', 'never matches a day in April, June, September or November'],
    ['0 0 30,31 FEB *', 'day-of-month', '30,31', 'never matches a day in February'],
    ['0 0 31W 4 *', 'day-of-month', '31W', 'never matches'],
  ])('%s', (expression, field, value, message) => {
    const error = refusal(expression, { seconds: expression.split(' ').length === 6 });
    expect(error.code).toBe('invalid_cron');
    expect(error.field).toBe(field);
    expect(error.value).toBe(value);
    expect(error.message).toContain(message);
  });

  it('refuses an empty expression', () => {
    for (const expression of ['', '   ']) {
      const error = refusal(expression);
      expect(error.message).toBe(
        'cron expression is empty; expected 5 fields (minute hour day-of-month month day-of-week), e.g. "*/5 * * * *"',
      );
    }
  });

  it('says how many fields were given and expected, and mentions the seconds option', () => {
    expect(refusal('* * * *').message).toBe(
      'expected 5 fields (minute hour day-of-month month day-of-week) but got 4 in "* * * *"',
    );
    expect(refusal('*/10 * * * * *').message).toBe(
      'expected 5 fields (minute hour day-of-month month day-of-week) but got 6 in "*/10 * * * * *"; ' +
        'a 6-field expression with seconds first needs the seconds option (--seconds in the CLI)',
    );
    expect(refusal('0 0 0 * * * 2026', { seconds: true }).message).toBe(
      'expected 5 or 6 fields ([second] minute hour day-of-month month day-of-week) but got 7 in "0 0 0 * * * 2026"; a year field is not supported',
    );
  });

  it('refuses unknown macros, listing the known ones', () => {
    expect(refusal('@every_5m').message).toBe(
      'unknown macro "@every_5m"; allowed: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    );
    expect(refusal('@reboot').message).toContain('@reboot is not supported');
  });

  it('refuses absurdly long input without working on it', () => {
    expect(refusal(`${'1,'.repeat(2000)}1 * * * *`).message).toContain('at most 1024 are allowed');
  });

  it('reports the leftmost bad field first', () => {
    expect(refusal('99 99 * * *').field).toBe('minute');
  });
});
