import { describe, expect, it } from 'vitest';
import {
  CronError,
  isValidTimeZone,
  validateTimeZone,
  wallDateInZone,
  wallTimeToInstant,
} from '../../src/time/index.ts';

describe('time zones', () => {
  it.each([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['america/new_york', 'America/New_York'],
    ['US/Eastern', 'America/New_York'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['Australia/Lord_Howe', 'Australia/Lord_Howe'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
  ])('validateTimeZone(%s) is %s', (input, canonical) => {
    expect(validateTimeZone(input)).toBe(canonical);
    expect(isValidTimeZone(input)).toBe(true);
  });

  it.each(['Mars/Olympus', '', ' ', 'America/NewYork', 'Europe/London; DROP TABLE'])(
    'refuses %j, naming it',
    (input) => {
      expect(isValidTimeZone(input)).toBe(false);
      try {
        validateTimeZone(input);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(CronError);
        expect((error as CronError).code).toBe('invalid_timezone');
        expect((error as CronError).field).toBe('timezone');
        if (input.trim() !== '') expect((error as CronError).message).toContain(`"${input}"`);
      }
    },
  );

  it('gives wall dates for templates, weekday 0 = Sunday', () => {
    expect(wallDateInZone(Date.UTC(2026, 0, 1, 3, 4, 5), 'America/New_York')).toEqual({
      year: 2025,
      month: 12,
      day: 31,
      hour: 22,
      minute: 4,
      second: 5,
      weekday: 3,
    });
    expect(wallDateInZone(Date.UTC(2011, 11, 30, 10), 'Pacific/Apia')).toMatchObject({
      year: 2011,
      month: 12,
      day: 31,
      hour: 0,
      weekday: 6,
    });
    expect(wallDateInZone(Date.UTC(2011, 11, 30, 9, 59, 59), 'Pacific/Apia')).toMatchObject({
      month: 12,
      day: 29,
      hour: 23,
      minute: 59,
    });
    expect(wallDateInZone(Date.UTC(2026, 9, 3, 15, 29), 'Australia/Lord_Howe')).toMatchObject({
      day: 4,
      hour: 1,
      minute: 59,
    });
    expect(wallDateInZone(Date.UTC(2026, 9, 3, 15, 30), 'Australia/Lord_Howe')).toMatchObject({
      day: 4,
      hour: 2,
      minute: 30,
    });
    expect(() => wallDateInZone(0, 'Nowhere/Land')).toThrow(CronError);
  });

  it('agrees with Intl on wall dates at random instants', () => {
    const zones = [
      'America/New_York',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'Asia/Kolkata',
      'America/Santiago',
      'UTC',
    ];
    for (let i = 0; i < 500; i++) {
      const zone = zones[i % zones.length]!;
      const instant =
        Date.UTC(1990, 0, 1) + Math.floor((((i * 2654435761) % 1_000_000) / 1_000_000) * 60 * 365 * 86_400_000);
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
          weekday: 'short',
        })
          .formatToParts(instant)
          .map((part) => [part.type, part.value]),
      );
      const wall = wallDateInZone(instant, zone);
      expect(
        [wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second],
        `${zone} ${new Date(instant).toISOString()}`,
      ).toEqual(['year', 'month', 'day', 'hour', 'minute', 'second'].map((key) => Number(parts[key])));
      expect(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][wall.weekday]).toBe(parts.weekday);
    }
  });

  it('agrees with Intl in every zone the runtime knows', () => {
    const check = new Map<string, Intl.DateTimeFormat>();
    let state = 12_345;
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      check.set(zone, format);
      for (let i = 0; i < 6; i++) {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        const instant = Date.UTC(2025, 0, 1) + Math.floor((state / 2_147_483_648) * 2 * 365 * 86_400_000);
        const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
        const wall = wallDateInZone(instant, zone);
        expect(
          [wall.year, wall.month, wall.day, wall.hour, wall.minute],
          `${zone} ${new Date(instant).toISOString()}`,
        ).toEqual([parts.year, parts.month, parts.day, parts.hour, parts.minute]);
      }
    }
    expect(check.size).toBeGreaterThan(300);
  });

  it('maps wall times to instants: earliest of a repeated time, end of the gap for a lost one', () => {
    const ny = 'America/New_York';
    expect(wallTimeToInstant({ year: 2026, month: 6, day: 1, hour: 9 }, ny)).toBe(Date.UTC(2026, 5, 1, 13));
    expect(wallTimeToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, ny)).toBe(Date.UTC(2026, 2, 8, 7));
    expect(wallTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, ny)).toBe(
      Date.UTC(2026, 10, 1, 5, 30),
    );
    expect(wallTimeToInstant({ year: 2011, month: 12, day: 30, hour: 12 }, 'Pacific/Apia')).toBe(
      Date.UTC(2011, 11, 30, 10),
    );
    expect(wallTimeToInstant({ year: 2026, month: 1, day: 1 }, 'UTC')).toBe(Date.UTC(2026, 0, 1));
  });
});
