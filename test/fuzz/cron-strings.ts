import fc from 'fast-check';

/** Expressions that parse, so that some fuzzed schedules are accepted. */
export const validCron = fc.constantFrom(
  '* * * * *',
  '*/15 * * * *',
  '0 9 * * 1-5',
  '30 2 * * *',
  '0 0 1 * *',
  '0 12 L * *',
  '0 8 15W * *',
  '0 10 * * FRI#2',
  '0 18 * * 5L',
  '5/10 * * * *',
  '0 0 29 2 *',
  '@daily',
  '@hourly',
  '@weekly',
  '0 0 9 * * MON',
  '0 9 ? JAN-MAR SUN',
);

/** One token of a cron field: numbers at and past every edge, names, wildcards and the extensions. */
const token = fc.oneof(
  fc.integer({ min: -2, max: 62 }).map(String),
  fc.constantFrom('0', '00', '007', '99999999999999999999', '1e3', '0x10', '-0', '2.5', 'NaN', ''),
  fc.constantFrom(
    '*',
    '?',
    'L',
    'W',
    'LW',
    'L-3',
    'L-40',
    '15W',
    '5L',
    'FRI#2',
    'MON#6',
    '#',
    '##',
    'JAN',
    'jan',
    'DEC',
    'FOO',
    'SUN',
    'sat',
    '7',
  ),
  fc.constantFrom(
    '*/0',
    '*/-1',
    '*/60',
    '10-50/5',
    '50-10',
    '5/10',
    '1-',
    '-5',
    ',',
    '1,,2',
    '1-2-3',
    '/',
    '*/',
    '**',
    'L/2',
    'W#1',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
);

const field = fc
  .array(token, { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.constantFrom(',', '-', '/', '').map((joiner) => parts.join(joiner)));

/** Near-valid and broken cron strings: 0–8 fields of edge tokens, macros, odd whitespace, huge and unicode text. */
export const fuzzCron: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: validCron },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.array(field, { minLength: 0, maxLength: 8 }), fc.constantFrom(' ', '  ', '\t', ' \n '))
      .map(([fields, gap]) => fields.join(gap)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '@yearly',
      '@annually',
      '@midnight',
      '@reboot',
      '@every 5m',
      '@',
      '@DAILY',
      '@daily extra',
      ' @hourly ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => `${'1,'.repeat(n)}1 * * * *`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u0000 * * * *',
      '٣ * * * *',
      '１ * * * *',
      '* * * * * * * *',
      '0-59/1 0-23 1-31 1-12 0-7',
    ),
  },
);

/** Time zones: real ones, case and spelling variants, offsets and junk. */
export const fuzzTimezone: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'America/Sao_Paulo',
  ),
  fc.constantFrom(
    'utc',
    'europe/paris',
    'Etc/GMT+14',
    'Etc/GMT-15',
    '+05:30',
    'GMT',
    'EST5EDT',
    'Mars/Olympus',
    '',
    ' UTC',
    'Europe/Paris\u0000',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 20 }),
);
