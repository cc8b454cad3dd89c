import { describe as group, expect, it } from 'vitest';
import { CronError, describe } from '../../src/time/index.ts';
import { randomExpression, seededRng } from './cron-reference.ts';

group('describe', () => {
  it.each([
    ['0 9 * * 1-5', 'At 09:00, Monday through Friday'],
    ['*/15 * * * *', 'Every 15 minutes'],
    ['30 * * * *', 'At minute 30 past every hour'],
    ['0 0 1 * *', 'At 00:00, on day 1 of the month'],
    ['0 9 L * *', 'At 09:00, on the last day of the month'],
    ['0 10 * * FRI#2', 'At 10:00, on the second Friday of the month'],
    ['* * * * *', 'Every minute'],
    ['0 * * * *', 'Every hour'],
    ['0 */2 * * *', 'Every 2 hours'],
    ['15 */2 * * *', 'At minute 15 past every 2 hours'],
    ['*/15 9-17 * * *', 'Every 15 minutes, between 09:00 and 17:59'],
    ['0 9-17 * * *', 'Every hour from 09:00 through 17:00'],
    ['30 8-18/2 * * *', 'Every 2 hours from 08:30 through 18:30'],
    ['0,30 9 * * *', 'At 09:00 and 09:30'],
    ['0 9,17 * * *', 'At 09:00 and 17:00'],
    ['* 9 * * *', 'Every minute, between 09:00 and 09:59'],
    ['0,15,30,45 * * * *', 'At minutes 0, 15, 30 and 45 past every hour'],
    ['10-50/5 * * * *', 'Every 5 minutes from minute 10 through 50'],
    ['5/10 * * * *', 'Every 10 minutes starting at minute 5'],
    ['0 0 L-3 * *', 'At 00:00, 3 days before the last day of the month'],
    ['0 0 15W * *', 'At 00:00, on the weekday nearest day 15 of the month'],
    ['0 0 LW * *', 'At 00:00, on the last weekday of the month'],
    ['0 0 * * 5L', 'At 00:00, on the last Friday of the month'],
    ['0 0 1,15 * MON', 'At 00:00, on days 1 and 15 of the month or on Monday'],
    ['0 0 * * 1,3,5', 'At 00:00, only on Monday, Wednesday and Friday'],
    ['0 0 * * 7', 'At 00:00, only on Sunday'],
    ['0 12 * JAN-MAR *', 'At 12:00, January through March'],
    ['0 12 * 1,7 *', 'At 12:00, only in January and July'],
    ['0 0 29 2 *', 'At 00:00, on day 29 of the month, only in February'],
    ['@yearly', 'At 00:00, on day 1 of the month, only in January'],
    ['@weekly', 'At 00:00, only on Sunday'],
  ])('%s → %s', (expression, sentence) => {
    expect(describe(expression)).toBe(sentence);
  });

  it.each([
    ['* * * * * *', 'Every second'],
    ['*/10 * * * * *', 'Every 10 seconds'],
    ['30 * * * * *', 'At second 30 past every minute'],
    ['0 * * * * *', 'Every minute'],
    ['30 0 9 * * *', 'At 09:00:30'],
    ['30 5 * * * *', 'At second 30, at minute 5 past every hour'],
    ['*/10 * 9 * * 1-5', 'Every 10 seconds, between 09:00 and 09:59, Monday through Friday'],
  ])('with seconds: %s → %s', (expression, sentence) => {
    expect(describe(expression, { seconds: true })).toBe(sentence);
  });

  it('never throws on a valid expression and always says something', () => {
    const rng = seededRng(7);
    for (let i = 0; i < 2000; i++) {
      const { text, seconds } = randomExpression(rng);
      let sentence: string;
      try {
        sentence = describe(text, { seconds });
      } catch (error) {
        expect(error, text).toBeInstanceOf(CronError);
        expect((error as Error).message, text).toContain('never');
        continue;
      }
      expect(sentence, text).toMatch(/^[A-Z][^\n]{4,}$/);
      expect(sentence, text).not.toMatch(/undefined|NaN|\s{2}|,,/);
    }
  });

  it('throws CronError for invalid expressions', () => {
    expect(() => describe('0 25 * * *')).toThrow('hour: 25 is outside 0-23');
  });
});
