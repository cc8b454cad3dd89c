import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { next } from '../../src/time/index.ts';
import { seededRng } from './cron-reference.ts';

// A second opinion on plain expressions in UTC (no L/W/#, no DST): croner and cron-parser.

const rng = seededRng(5);
const int = (min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

function field(min: number, max: number): string {
  const r = rng();
  if (r < 0.35) return '*';
  if (r < 0.5) return `*/${int(2, Math.min(15, max - min + 1))}`;
  if (r < 0.75) return String(int(min, max));
  if (r < 0.85) {
    const start = int(min, max);
    return `${start}-${int(start, max)}`;
  }
  if (r < 0.92) {
    const start = int(min, max);
    return `${start}-${int(start, max)}/${int(1, 5)}`;
  }
  const first = int(min, max - 1);
  return `${first},${int(first + 1, max)}`; // cron-parser refuses duplicates
}

function plainExpression(): string {
  const dom = rng() < 0.6 ? '*' : field(1, 28).replace(/^\*\/\d+$/, '*');
  const dow = rng() < 0.6 ? '*' : field(0, 6).replace(/^\*\/\d+$/, '*');
  return [field(0, 59), field(0, 23), dom, rng() < 0.8 ? '*' : field(1, 12), dow].join(' ');
}

describe('cross-check against croner and cron-parser (UTC, plain expressions)', () => {
  const cases = Array.from({ length: 1000 }, () => ({
    expression: plainExpression(),
    from: new Date(Date.UTC(2020, 0, 1) + Math.floor(rng() * 10 * 365 * 86_400_000)),
  }));

  it('agrees with croner', () => {
    for (const { expression, from } of cases) {
      const job = new Cron(expression, { timezone: 'UTC' });
      const theirs: string[] = [];
      let at: Date | null = from;
      for (let i = 0; i < 5 && at; i++) if ((at = job.nextRun(at))) theirs.push(at.toISOString());
      expect(
        next(expression, 'UTC', from, 5).map((date) => date.toISOString()),
        `${expression} after ${from.toISOString()}`,
      ).toEqual(theirs);
    }
  });

  it('agrees with cron-parser', () => {
    for (const { expression, from } of cases) {
      const interval = CronExpressionParser.parse(expression, { currentDate: from, tz: 'UTC' });
      const theirs = Array.from({ length: 5 }, () => interval.next().toISOString());
      expect(
        next(expression, 'UTC', from, 5).map((date) => date.toISOString()),
        `${expression} after ${from.toISOString()}`,
      ).toEqual(theirs);
    }
  });
});
