import { describe, expect, it } from 'vitest';
import { compileCron, CronError, next, SEARCH_HORIZON_YEARS } from '../../src/time/index.ts';

const iso = (dates: readonly Date[]): string[] => dates.map((date) => date.toISOString().replace('.000Z', 'Z'));

interface Case {
  name: string;
  expression: string;
  timezone: string;
  from: string;
  expected: string[];
  seconds?: boolean;
}

// Expected instants worked out by hand from the zone rules (comments give the wall times).
const cases: Case[] = [
  // New York 2026: spring forward Sun 8 March 02:00 EST → 03:00 EDT; fall back Sun 1 November 02:00 EDT → 01:00 EST.
  {
    name: 'NY spring, fixed time in the gap fires once at 03:00 EDT',
    expression: '30 2 * * *',
    timezone: 'America/New_York',
    from: '2026-03-07T12:00:00Z',
    expected: ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'],
  },
  {
    name: 'NY spring, several lost fixed times and an existing one collapse into one fire',
    expression: '0,30 2,3 * * *',
    timezone: 'America/New_York',
    from: '2026-03-08T06:00:00Z',
    expected: ['2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z', '2026-03-09T06:00:00Z', '2026-03-09T06:30:00Z'],
  },
  {
    name: 'NY spring, wild minutes in the lost hour are skipped',
    expression: '*/20 2 * * *',
    timezone: 'America/New_York',
    from: '2026-03-07T12:00:00Z',
    expected: ['2026-03-09T06:00:00Z', '2026-03-09T06:20:00Z', '2026-03-09T06:40:00Z'],
  },
  {
    name: 'NY spring, every minute runs straight across the gap',
    expression: '* * * * *',
    timezone: 'America/New_York',
    from: '2026-03-08T06:58:00Z',
    expected: ['2026-03-08T06:59:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:01:00Z'],
  },
  {
    name: 'NY fall, fixed time in the repeated hour fires once, at the first (EDT)',
    expression: '30 1 * * *',
    timezone: 'America/New_York',
    from: '2026-10-31T12:00:00Z',
    expected: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
  },
  {
    name: 'NY fall, fixed job asked from inside the second 01:xx waits for the next day',
    expression: '30 1 * * *',
    timezone: 'America/New_York',
    from: '2026-11-01T06:10:00Z',
    expected: ['2026-11-02T06:30:00Z'],
  },
  {
    name: 'NY fall, wild minutes fire in both 01:xx hours',
    expression: '*/30 1 * * *',
    timezone: 'America/New_York',
    from: '2026-10-31T12:00:00Z',
    expected: [
      '2026-11-01T05:00:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-01T06:00:00Z',
      '2026-11-01T06:30:00Z',
      '2026-11-02T06:00:00Z',
    ],
  },
  {
    name: 'NY fall, hourly (wild hour) fires at 01:00 EDT and 01:00 EST',
    expression: '0 * * * *',
    timezone: 'America/New_York',
    from: '2026-11-01T03:30:00Z',
    expected: ['2026-11-01T04:00:00Z', '2026-11-01T05:00:00Z', '2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z'],
  },
  {
    name: 'NY fall, wild job asked from the first 01:30 goes back to 01:10 EST',
    expression: '10 * * * *',
    timezone: 'America/New_York',
    from: '2026-11-01T05:30:00Z',
    expected: ['2026-11-01T06:10:00Z', '2026-11-01T07:10:00Z'],
  },
  // London 2026: 29 March 01:00 GMT → 02:00 BST; 25 October 02:00 BST → 01:00 GMT.
  {
    name: 'London spring, 01:30 does not exist: 02:00 BST',
    expression: '30 1 * * *',
    timezone: 'Europe/London',
    from: '2026-03-28T12:00:00Z',
    expected: ['2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'],
  },
  {
    name: 'London fall, fixed 01:30 once (BST)',
    expression: '30 1 * * *',
    timezone: 'Europe/London',
    from: '2026-10-24T12:00:00Z',
    expected: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
  },
  {
    name: 'London fall, wild half-hours twice',
    expression: '*/30 1 * * *',
    timezone: 'Europe/London',
    from: '2026-10-24T12:00:00Z',
    expected: [
      '2026-10-25T00:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-26T01:00:00Z',
    ],
  },
  // Lord Howe 2026 (30-minute DST): 4 October 02:00 +10:30 → 02:30 +11; 5 April 02:00 +11 → 01:30 +10:30.
  {
    name: 'Lord Howe spring, 02:15 is lost: 02:30 +11',
    expression: '15 2 * * *',
    timezone: 'Australia/Lord_Howe',
    from: '2026-10-03T00:00:00Z',
    expected: ['2026-10-03T15:30:00Z', '2026-10-04T15:15:00Z'],
  },
  {
    name: 'Lord Howe spring, wild 02:xx keeps only 02:30-02:59',
    expression: '*/10 2 * * *',
    timezone: 'Australia/Lord_Howe',
    from: '2026-10-03T00:00:00Z',
    expected: ['2026-10-03T15:30:00Z', '2026-10-03T15:40:00Z', '2026-10-03T15:50:00Z', '2026-10-04T15:00:00Z'],
  },
  {
    name: 'Lord Howe fall, fixed 01:45 once (+11)',
    expression: '45 1 * * *',
    timezone: 'Australia/Lord_Howe',
    from: '2026-04-04T00:00:00Z',
    expected: ['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z'],
  },
  {
    name: 'Lord Howe fall, wild quarter-hours repeat only 01:30-01:59',
    expression: '*/15 1 * * *',
    timezone: 'Australia/Lord_Howe',
    from: '2026-04-04T00:00:00Z',
    expected: [
      '2026-04-04T14:00:00Z',
      '2026-04-04T14:15:00Z',
      '2026-04-04T14:30:00Z',
      '2026-04-04T14:45:00Z',
      '2026-04-04T15:00:00Z',
      '2026-04-04T15:15:00Z',
      '2026-04-05T14:30:00Z',
    ],
  },
  // Apia skipped Friday 30 December 2011: 29 Dec 23:59:59 -10 → 31 Dec 00:00 +14 (30 Dec 10:00Z).
  // A 24-hour jump is a clock change, not DST (cronie: more than 3 hours): nothing is caught up.
  {
    name: 'Apia 2011, a daily job loses the 30th (no catch-up after a clock change)',
    expression: '0 9 * * *',
    timezone: 'Pacific/Apia',
    from: '2011-12-28T00:00:00Z',
    expected: ['2011-12-28T19:00:00Z', '2011-12-29T19:00:00Z', '2011-12-30T19:00:00Z'],
  },
  {
    name: 'Apia 2011, a job at 12:00 on the missing day does not fire that year',
    expression: '0 12 30 12 *',
    timezone: 'Pacific/Apia',
    from: '2011-12-01T00:00:00Z',
    expected: ['2012-12-29T22:00:00Z'],
  },
  {
    name: 'Apia 2011, a Friday job skips the lost Friday',
    expression: '0 9 * * FRI',
    timezone: 'Pacific/Apia',
    from: '2011-12-20T00:00:00Z',
    expected: ['2011-12-23T19:00:00Z', '2012-01-05T19:00:00Z'],
  },
  {
    name: 'Apia 2011, a wild job for the 30th skips the lost day',
    expression: '0 * 30 12 *',
    timezone: 'Pacific/Apia',
    from: '2011-12-01T00:00:00Z',
    expected: ['2012-12-29T10:00:00Z'],
  },
  // Kiritimati skipped Saturday 31 December 1994 (-10 → +14 at 10:00Z).
  {
    name: 'Kiritimati 1994/95, a daily 12:00 job loses 31 December',
    expression: '0 12 * * *',
    timezone: 'Pacific/Kiritimati',
    from: '1994-12-29T00:00:00Z',
    expected: ['1994-12-29T22:00:00Z', '1994-12-30T22:00:00Z', '1994-12-31T22:00:00Z'],
  },
  {
    name: 'Kiritimati 1994/95, a job for 31 December only fires in 1995',
    expression: '30 8 31 12 *',
    timezone: 'Pacific/Kiritimati',
    from: '1994-12-01T00:00:00Z',
    expected: ['1995-12-30T18:30:00Z'],
  },
  // Kwajalein skipped Saturday 21 August 1993 (-12 → +12 at 12:00Z).
  {
    name: 'Kwajalein 1993, a daily 12:00 job loses 21 August',
    expression: '0 12 * * *',
    timezone: 'Pacific/Kwajalein',
    from: '1993-08-19T12:00:00Z',
    expected: ['1993-08-20T00:00:00Z', '1993-08-21T00:00:00Z', '1993-08-22T00:00:00Z'],
  },
  {
    name: 'Kwajalein 1993, a Saturday job skips the lost Saturday',
    expression: '0 6 * * SAT',
    timezone: 'Pacific/Kwajalein',
    from: '1993-08-15T00:00:00Z',
    expected: ['1993-08-27T18:00:00Z'],
  },
  // Vostok 1994: 1 Feb 00:00 +07 → 31 Jan 17:00 +00, seven hours repeated: a clock change, so a
  // fixed job fires in both (cronie jumps its virtual clock back and runs everything again).
  {
    name: 'Vostok 1994, a fixed job in the seven repeated hours fires twice',
    expression: '30 18 * * *',
    timezone: 'Antarctica/Vostok',
    from: '1994-01-31T00:00:00Z',
    expected: ['1994-01-31T11:30:00Z', '1994-01-31T18:30:00Z', '1994-02-01T18:30:00Z'],
  },
  // Casey 2009/10: +08 → +11 (3 hours forward, 17 Oct 18:00Z) and back (4 Mar 2010 15:00Z).
  // cronie's bound is exclusive forward (a 3-hour jump is a clock change) and a repeat of
  // 3 hours is still DST.
  {
    name: 'Casey 2009, a 3-hour forward jump is a clock change: no catch-up',
    expression: '30 3 * * *',
    timezone: 'Antarctica/Casey',
    from: '2009-10-17T00:00:00Z',
    expected: ['2009-10-18T16:30:00Z', '2009-10-19T16:30:00Z'],
  },
  {
    name: 'Casey 2010, a 3-hour repeat is DST: a fixed job fires once',
    expression: '30 0 * * *',
    timezone: 'Antarctica/Casey',
    from: '2010-03-04T00:00:00Z',
    expected: ['2010-03-04T13:30:00Z', '2010-03-05T16:30:00Z'],
  },
  // Midnight transitions.
  {
    name: 'Santiago, midnight does not exist on 6 September 2026: 01:00 -03',
    expression: '0 0 * * *',
    timezone: 'America/Santiago',
    from: '2026-09-05T00:00:00Z',
    expected: ['2026-09-05T04:00:00Z', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z'],
  },
  {
    name: 'Santiago fall, Saturday 23:30 repeats: fixed once',
    expression: '30 23 * * *',
    timezone: 'America/Santiago',
    from: '2026-04-04T12:00:00Z',
    expected: ['2026-04-05T02:30:00Z', '2026-04-06T03:30:00Z'],
  },
  {
    name: 'Santiago fall, Saturday 23:xx repeats: wild twice',
    expression: '*/30 23 * * *',
    timezone: 'America/Santiago',
    from: '2026-04-04T12:00:00Z',
    expected: [
      '2026-04-05T02:00:00Z',
      '2026-04-05T02:30:00Z',
      '2026-04-05T03:00:00Z',
      '2026-04-05T03:30:00Z',
      '2026-04-06T03:00:00Z',
    ],
  },
  {
    name: 'Beirut, midnight does not exist on 29 March 2026: 01:00 +03',
    expression: '0 0 * * *',
    timezone: 'Asia/Beirut',
    from: '2026-03-28T00:00:00Z',
    expected: ['2026-03-28T22:00:00Z', '2026-03-29T21:00:00Z'],
  },
  // Transitions that fall exactly on a boundary of the engine's 60-day offset cache chunks.
  {
    name: 'Jerusalem spring 2023 (00:00Z on a cache boundary), fixed 02:30 fires at 03:00 IDT',
    expression: '30 2 * * *',
    timezone: 'Asia/Jerusalem',
    from: '2023-03-23T12:00:00Z',
    expected: ['2023-03-24T00:00:00Z', '2023-03-24T23:30:00Z'],
  },
  {
    name: 'Jerusalem spring 2023 (00:00Z on a cache boundary), wild 02:xx skipped',
    expression: '*/20 2 * * *',
    timezone: 'Asia/Jerusalem',
    from: '2023-03-23T12:00:00Z',
    expected: ['2023-03-24T23:00:00Z', '2023-03-24T23:20:00Z'],
  },
  {
    name: 'Chisinau fall 2038 (00:00Z on a cache boundary), fixed 02:30 once',
    expression: '30 2 * * *',
    timezone: 'Europe/Chisinau',
    from: '2038-10-30T12:00:00Z',
    expected: ['2038-10-30T23:30:00Z', '2038-11-01T00:30:00Z'],
  },
  {
    name: 'Chisinau fall 2038 (00:00Z on a cache boundary), wild 02:xx twice',
    expression: '*/30 2 * * *',
    timezone: 'Europe/Chisinau',
    from: '2038-10-30T12:00:00Z',
    expected: [
      '2038-10-30T23:00:00Z',
      '2038-10-30T23:30:00Z',
      '2038-10-31T00:00:00Z',
      '2038-10-31T00:30:00Z',
      '2038-11-01T00:00:00Z',
    ],
  },
  // Calendar.
  {
    name: 'leap days',
    expression: '0 0 29 2 *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'],
  },
  {
    name: 'leap days across 2100 (not a leap year)',
    expression: '0 0 29 2 *',
    timezone: 'UTC',
    from: '2096-03-01T00:00:00Z',
    expected: ['2104-02-29T00:00:00Z', '2108-02-29T00:00:00Z'],
  },
  {
    name: 'fifth Monday of February: 29 February on a Monday, 40 years apart around 2100',
    expression: '0 0 * 2 MON#5',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2044-02-29T00:00:00Z', '2072-02-29T00:00:00Z', '2112-02-29T00:00:00Z'],
  },
  {
    name: 'L: last day of the month',
    expression: '0 0 L * *',
    timezone: 'UTC',
    from: '2028-01-15T00:00:00Z',
    expected: ['2028-01-31T00:00:00Z', '2028-02-29T00:00:00Z', '2028-03-31T00:00:00Z', '2028-04-30T00:00:00Z'],
  },
  {
    name: 'L-3: three days before the last day',
    expression: '0 0 L-3 * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-28T00:00:00Z', '2026-02-25T00:00:00Z', '2026-03-28T00:00:00Z', '2026-04-27T00:00:00Z'],
  },
  {
    name: '15W: Sunday 15th → Monday 16th, Saturday 15th → Friday 14th',
    expression: '0 0 15W * *',
    timezone: 'UTC',
    from: '2026-02-01T00:00:00Z',
    expected: ['2026-02-16T00:00:00Z', '2026-03-16T00:00:00Z', '2026-04-15T00:00:00Z'],
  },
  {
    name: '15W in August 2026 (Saturday 15th) → Friday 14th',
    expression: '0 0 15W 8 *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-08-14T00:00:00Z'],
  },
  {
    name: '1W in a month starting on Saturday → Monday 3rd (never back into the previous month)',
    expression: '0 0 1W 8 *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-08-03T00:00:00Z'],
  },
  {
    name: '31W on a Sunday 31st → Friday 29th (never into the next month)',
    expression: '0 0 31W 5 *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-05-29T00:00:00Z'],
  },
  {
    name: 'LW: last weekday of the month',
    expression: '0 0 LW * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: [
      '2026-01-30T00:00:00Z',
      '2026-02-27T00:00:00Z',
      '2026-03-31T00:00:00Z',
      '2026-04-30T00:00:00Z',
      '2026-05-29T00:00:00Z',
    ],
  },
  {
    name: 'FRI#2: second Friday',
    expression: '0 10 * * FRI#2',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-09T10:00:00Z', '2026-02-13T10:00:00Z', '2026-03-13T10:00:00Z'],
  },
  {
    name: '5L: last Friday',
    expression: '0 0 * * 5L',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-30T00:00:00Z', '2026-02-27T00:00:00Z', '2026-03-27T00:00:00Z'],
  },
  {
    name: 'Vixie OR: both day fields restricted, either matches',
    expression: '0 0 13 * FRI',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-13T00:00:00Z', '2026-01-16T00:00:00Z'],
  },
  {
    name: 'Vixie AND: day-of-month starts with *, both must match',
    expression: '0 0 */13 * FRI',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-02-27T00:00:00Z', '2026-03-27T00:00:00Z', '2026-05-01T00:00:00Z', '2026-08-14T00:00:00Z'],
  },
  {
    name: 'day-of-week 7 is Sunday',
    expression: '0 0 * * 7',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z'],
  },
  {
    name: '5-7 is Friday through Sunday',
    expression: '0 0 * * 5-7',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-09T00:00:00Z'],
  },
  {
    name: 'names, any case',
    expression: '0 12 * feb,Jul MON',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: [
      '2026-02-02T12:00:00Z',
      '2026-02-09T12:00:00Z',
      '2026-02-16T12:00:00Z',
      '2026-02-23T12:00:00Z',
      '2026-07-06T12:00:00Z',
    ],
  },
  // cronie: any positive step is valid; one larger than the span keeps just the start.
  {
    name: 'a step larger than the span: */90 in minutes is minute 0',
    expression: '*/90 * * * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z'],
  },
  {
    name: 'a stepped range with a larger step: 0-30/45 is minute 0',
    expression: '0-30/45 * * * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z'],
  },
  {
    name: 'day-of-month */45 is the 1st',
    expression: '0 0 */45 * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
  },
  {
    name: 'day-of-week 2/10 is Tuesday only',
    expression: '0 0 * * 2/10',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-06T00:00:00Z', '2026-01-13T00:00:00Z'],
  },
  // cronie: day-of-week spans 0-7, so N/step runs to 7 (Sunday).
  {
    name: 'day-of-week 5/2 is Friday and Sunday',
    expression: '0 0 * * 5/2',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-11T00:00:00Z'],
  },
  {
    name: 'day-of-week 7/2 is Sunday',
    expression: '0 0 * * 7/2',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z'],
  },
  {
    name: 'day-of-week 1/2 is Monday, Wednesday, Friday and Sunday',
    expression: '0 0 * * 1/2',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: [
      '2026-01-02T00:00:00Z',
      '2026-01-04T00:00:00Z',
      '2026-01-05T00:00:00Z',
      '2026-01-07T00:00:00Z',
      '2026-01-09T00:00:00Z',
    ],
  },
  {
    name: 'step from a start: 5/10',
    expression: '5/10 9 * * *',
    timezone: 'UTC',
    from: '2026-01-01T09:30:00Z',
    expected: ['2026-01-01T09:35:00Z', '2026-01-01T09:45:00Z', '2026-01-01T09:55:00Z', '2026-01-02T09:05:00Z'],
  },
  {
    name: 'stepped range 10-50/20',
    expression: '10-50/20 * * * *',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T00:10:00Z', '2026-01-01T00:30:00Z', '2026-01-01T00:50:00Z', '2026-01-01T01:10:00Z'],
  },
  {
    name: '? is *',
    expression: '0 0 ? * ?',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z'],
  },
  {
    name: '@yearly',
    expression: '@yearly',
    timezone: 'UTC',
    from: '2026-05-01T00:00:00Z',
    expected: ['2027-01-01T00:00:00Z'],
  },
  {
    name: '@annually',
    expression: '@ANNUALLY',
    timezone: 'UTC',
    from: '2026-05-01T00:00:00Z',
    expected: ['2027-01-01T00:00:00Z'],
  },
  {
    name: '@monthly',
    expression: '@monthly',
    timezone: 'UTC',
    from: '2026-05-01T00:00:00Z',
    expected: ['2026-06-01T00:00:00Z'],
  },
  {
    name: '@weekly (Sunday)',
    expression: '@weekly',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-04T00:00:00Z'],
  },
  {
    name: '@daily',
    expression: '@daily',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z'],
  },
  {
    name: '@midnight',
    expression: '@midnight',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-02T00:00:00Z'],
  },
  {
    name: '@hourly',
    expression: '@hourly',
    timezone: 'UTC',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T01:00:00Z'],
  },
  {
    name: 'seconds field when allowed',
    expression: '*/20 * * * * *',
    timezone: 'America/New_York',
    from: '2026-01-01T00:00:05Z',
    seconds: true,
    expected: ['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01:00Z'],
  },
  {
    name: 'seconds field, fixed time in the NY gap fires once at 03:00:00 EDT',
    expression: '15 30 2 * * *',
    timezone: 'America/New_York',
    from: '2026-03-07T12:00:00Z',
    seconds: true,
    expected: ['2026-03-08T07:00:00Z', '2026-03-09T06:30:15Z'],
  },
  {
    name: 'Kolkata (+05:30, no DST)',
    expression: '0 9 * * *',
    timezone: 'Asia/Kolkata',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T03:30:00Z', '2026-01-02T03:30:00Z'],
  },
  {
    name: 'fixed-offset zone Etc/GMT+5 (UTC-5)',
    expression: '0 9 * * *',
    timezone: 'Etc/GMT+5',
    from: '2026-01-01T00:00:00Z',
    expected: ['2026-01-01T14:00:00Z', '2026-01-02T14:00:00Z'],
  },
];

describe('next fire: named cases', () => {
  it.each(cases)('$name ($expression, $timezone)', ({ expression, timezone, from, expected, seconds }) => {
    expect(iso(next(expression, timezone, new Date(from), expected.length, { seconds: seconds ?? false }))).toEqual(
      expected,
    );
  });
});

describe('next fire: contract', () => {
  it('returns instants strictly after from, also when from is a fire time', () => {
    const schedule = compileCron('0 9 * * *', 'America/New_York');
    const fire = Date.parse('2026-06-01T13:00:00Z');
    expect(schedule.nextAfter(fire)).toBe(Date.parse('2026-06-02T13:00:00Z'));
    expect(schedule.nextAfter(fire - 1)).toBe(fire);
    expect(schedule.nextAfter(fire - 0.5)).toBe(fire);
  });

  it('chains nextAfter like next()', () => {
    const schedule = compileCron('*/7 1,2 * * *', 'Europe/London');
    const from = new Date('2026-10-24T00:00:00Z');
    const chained: number[] = [];
    let at = from.getTime();
    for (let i = 0; i < 40; i++) chained.push((at = schedule.nextAfter(at)!));
    expect(schedule.next(from, 40).map((date) => date.getTime())).toEqual(chained);
  });

  it('exposes the expression, the canonical zone and the seconds flag', () => {
    const schedule = compileCron('  */10 * * * * *  ', 'america/new_york', { seconds: true });
    expect(schedule).toMatchObject({ expression: '*/10 * * * * *', timezone: 'America/New_York', hasSeconds: true });
    expect(compileCron('* * * * *').timezone).toBe('UTC');
    expect(compileCron('* * * * *', 'Asia/Calcutta').timezone).toBe('Asia/Kolkata');
  });

  it('refuses a 6-field expression unless seconds are allowed', () => {
    expect(() => compileCron('*/10 * * * * *')).toThrow(CronError);
    expect(() => compileCron('*/10 * * * * *', 'UTC', { seconds: true })).not.toThrow();
  });

  it('refuses unknown zones, naming them', () => {
    expect(() => next('* * * * *', 'Mars/Olympus_Mons', new Date(), 1)).toThrow(/Mars\/Olympus_Mons/);
  });

  it('bounds the search: a job that only matches lost wall times returns nothing, quickly', () => {
    // 02:xx on the second Sunday of March is always inside New York's gap (since 2007).
    const started = performance.now();
    expect(next('*/5 2 * 3 SUN#2', 'America/New_York', new Date('2026-01-01T00:00:00Z'), 3)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    // The fixed version fires at 03:00 EDT.
    expect(iso(next('30 2 * 3 SUN#2', 'America/New_York', new Date('2026-01-01T00:00:00Z'), 1))).toEqual([
      '2026-03-08T07:00:00Z',
    ]);
  });

  it(`stops at the ${SEARCH_HORIZON_YEARS}-year horizon and at year 9999`, () => {
    expect(SEARCH_HORIZON_YEARS).toBeGreaterThanOrEqual(41);
    expect(next('0 0 * 2 MON#5', 'UTC', new Date('2072-03-01T00:00:00Z'), 1)).toHaveLength(1);
    expect(iso(next('0 0 31 12 *', 'UTC', new Date('9999-06-01T00:00:00Z'), 3))).toEqual(['9999-12-31T00:00:00Z']);
    expect(compileCron('* * * * *').nextAfter(Date.parse('9999-12-31T23:59:00Z'))).toBeNull();
  });

  it('works for instants before 1970', () => {
    expect(iso(next('0 12 * * *', 'Europe/Paris', new Date('1950-06-01T00:00:00Z'), 1))).toEqual([
      '1950-06-01T11:00:00Z',
    ]);
  });

  it('validates count and from', () => {
    const schedule = compileCron('* * * * *');
    expect(schedule.next(new Date(0), 0)).toEqual([]);
    expect(() => schedule.next(new Date(0), -1)).toThrow(RangeError);
    expect(() => schedule.next(new Date(0), 1.5)).toThrow(RangeError);
    expect(() => schedule.next(new Date(Number.NaN), 1)).toThrow(RangeError);
    expect(() => schedule.nextAfter(Number.NaN)).toThrow(RangeError);
  });
});
