import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateTimeZone } from '../../src/time/index.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe('schedule time zones: abbreviations refused with a hint, one field prefix, nearest names', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    alice = await h.caller('member');
    const response = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  const create = (timezone: string) =>
    h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: { cron: '0 9 * * *', timezone } },
    });

  it.each([
    [
      'EST',
      'schedule.timezone: EST is a fixed offset (UTC-05:00, no daylight saving); did you mean America/New_York? ' +
        'For the fixed offset on purpose, use Etc/GMT+5',
    ],
    ['PST', 'schedule.timezone: PST is an abbreviation, not an IANA time zone; did you mean America/Los_Angeles?'],
    ['BST', 'schedule.timezone: BST is an abbreviation, not an IANA time zone; did you mean Europe/London?'],
    ['Europe/Pari', 'schedule.timezone: "Europe/Pari" is not a known IANA time zone; did you mean Europe/Paris?'],
  ])('refuses %s with 422 and stores nothing', async (timezone, message) => {
    const response = await create(timezone);
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_timezone');
    expect(error.message).toBe(message);
    const list = (await (await h.call('GET', '/api/v1/schedules', { key: alice.key })).json()) as { total: number };
    expect(list.total).toBe(0);
  });

  it('keeps a fixed offset asked for on purpose and stores the US rule zones under their cities', async () => {
    for (const [given, stored] of [
      ['Etc/GMT+5', 'Etc/GMT+5'],
      ['EST5EDT', 'America/New_York'],
      ['us/eastern', 'America/New_York'],
    ]) {
      const response = await create(given!);
      expect(response.status, given).toBe(201);
      const schedule = (await response.json()) as { id: string; schedule: { timezone: string } };
      expect(schedule.schedule.timezone).toBe(stored);
      await h.call('DELETE', `/api/v1/schedules/${schedule.id}`, { key: alice.key });
    }
  });

  it('suggests the nearest zone for a city alone or a typo, and nothing for a name far from any', () => {
    const messageOf = (zone: string) => {
      try {
        validateTimeZone(zone);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(messageOf('new york')).toBe(
      'timezone: "new york" is not a known IANA time zone; did you mean America/New_York?',
    );
    expect(messageOf('Kolkata')).toMatch(/did you mean Asia\/Kolkata\?$/);
    expect(messageOf('Mars/Olympus')).toBe(
      'timezone: "Mars/Olympus" is not a known IANA time zone; use a name such as America/New_York, Europe/London or UTC (Area/City)',
    );
  });
});
