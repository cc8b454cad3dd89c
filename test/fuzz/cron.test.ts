import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronError, compileCron, describe as describeCron, next, parseCron } from '../../src/time/index.ts';
import { fuzzCron, fuzzTimezone } from './cron-strings.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';

/** Runs `action`; a throw must be the project's CronError with a stable code and a message. */
function parsesOrRefuses<T>(action: () => T): T | CronError {
  try {
    return action();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(CronError);
    const cron = error as CronError;
    expect(['invalid_cron', 'invalid_timezone']).toContain(cron.code);
    expect(cron.message.length, 'a refusal says why').toBeGreaterThan(5);
    return cron;
  }
}

// The cron engine directly (src/time): a string parses, or throws CronError; never a TypeError,
// a RangeError or a hang (a hang fails the test by its timeout).
describe('fuzz: cron strings', () => {
  it(`parseCron and describe either accept or throw CronError (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, () => {
    let parsed = 0;
    fc.assert(
      fc.property(fuzzCron, fc.boolean(), (expression, seconds) => {
        const result = parsesOrRefuses(() => parseCron(expression, { seconds }));
        if (result instanceof CronError) return;
        parsed++;
        // The normalised expression parses to itself.
        expect(parseCron(result.expression, { seconds }).expression).toBe(result.expression);
        const words = parsesOrRefuses(() => describeCron(expression, { seconds }));
        if (typeof words === 'string') expect(words.length).toBeGreaterThan(0);
      }),
      fuzzParameters(1500),
    );
    expect(parsed, 'the generator reaches valid expressions too').toBeGreaterThan(0);
  });

  it(
    `next() gives increasing instants after "from", in any zone, or throws CronError (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    () => {
      const from = fc.date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2200-01-01T00:00:00Z'),
        noInvalidDate: true,
      });
      fc.assert(
        fc.property(fuzzCron, fuzzTimezone, from, fc.integer({ min: 0, max: 5 }), (expression, zone, start, count) => {
          const times = parsesOrRefuses(() => next(expression, zone, start, count));
          if (times instanceof CronError) return;
          expect(times.length).toBeLessThanOrEqual(count);
          let previous = start.getTime();
          for (const time of times) {
            expect(time.getTime()).toBeGreaterThan(previous);
            previous = time.getTime();
          }
          const schedule = parsesOrRefuses(() => compileCron(expression, zone));
          expect(schedule).not.toBeInstanceOf(CronError);
        }),
        fuzzParameters(300),
      );
    },
  );
});
