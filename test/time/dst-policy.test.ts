import { describe, expect, it } from 'vitest';
import { compileCron, next, type DstPolicy } from '../../src/time/index.ts';

const iso = (dates: readonly Date[]): string[] => dates.map((date) => date.toISOString().replace('.000Z', 'Z'));

interface PolicyCase {
  zone: string;
  day: string;
  expression: string;
  from: string;
  /** Expected fires per policy; `default` is no policy (the Vixie rule for the job). */
  expected: Partial<Record<'default' | 'first' | 'last' | 'both' | 'shift' | 'skip', string[]>>;
}

// Each policy on the spring-forward and the fall-back day; the comments give the wall times.
const cases: PolicyCase[] = [
  // New York 2026: 8 March 02:00 EST → 03:00 EDT (07:00Z); 1 November 02:00 EDT → 01:00 EST (06:00Z).
  {
    zone: 'America/New_York',
    day: 'spring, fixed 02:30 in the gap',
    expression: '30 2 * * *',
    from: '2026-03-07T12:00:00Z',
    expected: {
      default: ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'],
      shift: ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'], // 03:00 EDT
      skip: ['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z'],
    },
  },
  {
    zone: 'America/New_York',
    day: 'spring, wild 02:xx in the gap',
    expression: '*/20 2 * * *',
    from: '2026-03-07T12:00:00Z',
    expected: {
      default: ['2026-03-09T06:00:00Z', '2026-03-09T06:20:00Z'],
      shift: ['2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z'], // once at 03:00 EDT for the three lost times
      skip: ['2026-03-09T06:00:00Z', '2026-03-09T06:20:00Z'],
    },
  },
  {
    zone: 'America/New_York',
    day: 'fall, fixed 01:30 repeated',
    expression: '30 1 * * *',
    from: '2026-10-31T12:00:00Z',
    expected: {
      default: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
      first: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'], // 01:30 EDT
      last: ['2026-11-01T06:30:00Z', '2026-11-02T06:30:00Z'], // 01:30 EST
      both: ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-02T06:30:00Z'],
    },
  },
  {
    zone: 'America/New_York',
    day: 'fall, wild 01:00 and 01:30 repeated',
    expression: '*/30 1 * * *',
    from: '2026-10-31T12:00:00Z',
    expected: {
      default: ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z'],
      first: ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:00:00Z'],
      last: ['2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z', '2026-11-02T06:00:00Z'],
      both: ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z'],
    },
  },
  // London 2026: 29 March 01:00 GMT → 02:00 BST (01:00Z); 25 October 02:00 BST → 01:00 GMT (01:00Z).
  {
    zone: 'Europe/London',
    day: 'spring, fixed 01:30 in the gap',
    expression: '30 1 * * *',
    from: '2026-03-28T12:00:00Z',
    expected: {
      default: ['2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'],
      shift: ['2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'], // 02:00 BST
      skip: ['2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z'],
    },
  },
  {
    zone: 'Europe/London',
    day: 'fall, fixed 01:30 repeated',
    expression: '30 1 * * *',
    from: '2026-10-24T12:00:00Z',
    expected: {
      default: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
      first: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'], // 01:30 BST
      last: ['2026-10-25T01:30:00Z', '2026-10-26T01:30:00Z'], // 01:30 GMT
      both: ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-26T01:30:00Z'],
    },
  },
  // Lord Howe 2026, a 30-minute shift: 4 October 02:00 +10:30 → 02:30 +11 (3 Oct 15:30Z);
  // 5 April 02:00 +11 → 01:30 +10:30 (4 Apr 15:00Z).
  {
    zone: 'Australia/Lord_Howe',
    day: 'spring, fixed 02:15 in the half-hour gap',
    expression: '15 2 * * *',
    from: '2026-10-03T00:00:00Z',
    expected: {
      default: ['2026-10-03T15:30:00Z', '2026-10-04T15:15:00Z'],
      shift: ['2026-10-03T15:30:00Z', '2026-10-04T15:15:00Z'], // 02:30 +11
      skip: ['2026-10-04T15:15:00Z', '2026-10-05T15:15:00Z'],
    },
  },
  {
    zone: 'Australia/Lord_Howe',
    day: 'fall, fixed 01:45 in the repeated half hour',
    expression: '45 1 * * *',
    from: '2026-04-04T00:00:00Z',
    expected: {
      default: ['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z'],
      first: ['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z'], // 01:45 +11
      last: ['2026-04-04T15:15:00Z', '2026-04-05T15:15:00Z'], // 01:45 +10:30
      both: ['2026-04-04T14:45:00Z', '2026-04-04T15:15:00Z', '2026-04-05T15:15:00Z'],
    },
  },
  {
    zone: 'Australia/Lord_Howe',
    day: 'fall, wild quarter hours: only 01:30 and 01:45 repeat',
    expression: '*/15 1 * * *',
    from: '2026-04-04T00:00:00Z',
    expected: {
      default: [
        '2026-04-04T14:00:00Z',
        '2026-04-04T14:15:00Z',
        '2026-04-04T14:30:00Z',
        '2026-04-04T14:45:00Z',
        '2026-04-04T15:00:00Z',
        '2026-04-04T15:15:00Z',
      ],
      first: [
        '2026-04-04T14:00:00Z',
        '2026-04-04T14:15:00Z',
        '2026-04-04T14:30:00Z',
        '2026-04-04T14:45:00Z',
        '2026-04-05T14:30:00Z',
      ],
      last: [
        '2026-04-04T14:00:00Z',
        '2026-04-04T14:15:00Z',
        '2026-04-04T15:00:00Z',
        '2026-04-04T15:15:00Z',
        '2026-04-05T14:30:00Z',
      ],
    },
  },
];

function policyOf(name: string): DstPolicy | undefined {
  if (name === 'default') return undefined;
  return name === 'shift' || name === 'skip' ? { skipped: name } : { repeated: name as 'first' | 'last' | 'both' };
}

describe('DST policy per schedule', () => {
  for (const { zone, day, expression, from, expected } of cases) {
    for (const [name, fires] of Object.entries(expected)) {
      it(`${zone} ${day}: ${name} (${expression})`, () => {
        expect(iso(next(expression, zone, new Date(from), fires.length, { dst: policyOf(name) }))).toEqual(fires);
      });
    }
  }

  it('combines both keys, and a key left out keeps the rule for the job', () => {
    const from = new Date('2026-03-07T12:00:00Z');
    // Wild job, skipped shift + repeated first: the spring gap fires once, the fall repeat once.
    const policy: DstPolicy = { repeated: 'first', skipped: 'shift' };
    expect(iso(next('0 2 * * SUN', 'America/New_York', from, 1, { dst: policy }))).toEqual(['2026-03-08T07:00:00Z']);
    expect(iso(next('*/30 1 * * *', 'America/New_York', new Date('2026-10-31T12:00:00Z'), 3, { dst: policy }))).toEqual(
      ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:00:00Z'],
    );
    // { repeated } alone leaves the fixed job's spring gap on shift.
    expect(iso(next('30 2 * * *', 'America/New_York', from, 1, { dst: { repeated: 'last' } }))).toEqual([
      '2026-03-08T07:00:00Z',
    ]);
  });

  it('keeps one compiled schedule per policy', () => {
    const first = compileCron('30 1 * * *', 'America/New_York', { dst: { repeated: 'first' } });
    const last = compileCron('30 1 * * *', 'America/New_York', { dst: { repeated: 'last' } });
    expect(first).not.toBe(last);
    expect(compileCron('30 1 * * *', 'America/New_York', { dst: { repeated: 'last' } })).toBe(last);
  });

  it('does not apply to clock changes of 3 hours or more (cronie): Apia 2011 is never caught up, Vostok 1994 repeats', () => {
    expect(
      iso(next('0 12 30 12 *', 'Pacific/Apia', new Date('2011-12-01T00:00:00Z'), 1, { dst: { skipped: 'shift' } })),
    ).toEqual(['2012-12-29T22:00:00Z']);
    expect(
      iso(
        next('30 18 * * *', 'Antarctica/Vostok', new Date('1994-01-31T00:00:00Z'), 2, { dst: { repeated: 'first' } }),
      ),
    ).toEqual(['1994-01-31T11:30:00Z', '1994-01-31T18:30:00Z']);
  });
});
