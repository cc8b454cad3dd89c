import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe('GET /api/v1/schedules/{id}/usage and alert_on_tokens_per_day (pglite)', () => {
  let api: ApiHarness;
  let owner: Caller;
  let other: Caller;
  let scheduleId: string;

  beforeAll(async () => {
    api = await createApiHarness(
      'pglite',
      { KAIROS_PRICING: '{"*": {"input_per_1k": 1, "output_per_1k": 2}}' },
      { services: true },
    );
    owner = await api.caller('member');
    other = await api.caller('member');
    const assistant = await api.call('POST', '/api/v1/assistants', {
      key: owner.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    expect(assistant.status).toBe(201);
    const assistantId = ((await assistant.json()) as { id: string }).id;
    const created = await api.call('POST', '/api/v1/schedules', {
      key: owner.key,
      body: {
        assistant_id: assistantId,
        schedule: { cron: '0 9 * * *', timezone: 'Asia/Tokyo' },
        alert_on_tokens_per_day: 5000,
      },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as { id: string; alert_on_tokens_per_day: number };
    expect(schedule.alert_on_tokens_per_day).toBe(5000);
    scheduleId = schedule.id;
    await api.db.query(
      `INSERT INTO runs (schedule_id, owner_id, trigger, not_before, status, usage)
       VALUES ($1, $2, 'manual', now(), 'success', '{"prompt_tokens": 1000, "completion_tokens": 500}'),
              ($1, $2, 'manual', now(), 'success', '{"total_tokens": 70}')`,
      [scheduleId, owner.userId],
    );
  });
  afterAll(async () => api?.close());

  it('answers tokens per day in the schedule’s zone with money from KAIROS_PRICING', async () => {
    const response = await api.call('GET', `/api/v1/schedules/${scheduleId}/usage?days=7`, { key: owner.key });
    expect(response.status).toBe(200);
    const usage = (await response.json()) as {
      timezone: string;
      priced: boolean;
      total: Record<string, unknown>;
      days: unknown[];
    };
    expect(usage).toMatchObject({ timezone: 'Asia/Tokyo', priced: true });
    // 1000/1000 × 1 + 500/1000 × 2 = 2; the 70 tokens reported only as a total cannot be priced.
    expect(usage.total).toEqual({
      runs: 2,
      prompt_tokens: 1000,
      completion_tokens: 500,
      tokens: 1570,
      cost: 2,
      unpriced_tokens: 70,
    });
    expect(usage.days).toHaveLength(1);
  });

  it('is another member’s 404 and refuses a bad days or limit with 422', async () => {
    expect((await api.call('GET', `/api/v1/schedules/${scheduleId}/usage`, { key: other.key })).status).toBe(404);
    const badDays = await api.call('GET', `/api/v1/schedules/${scheduleId}/usage?days=0`, { key: owner.key });
    expect(badDays.status).toBe(422);
    const badLimit = await api.call('PATCH', `/api/v1/schedules/${scheduleId}`, {
      key: owner.key,
      body: { alert_on_tokens_per_day: -5 },
    });
    expect(badLimit.status).toBe(422);
    expect((await errorOf(badLimit)).message).toContain('alert_on_tokens_per_day');
    const cleared = await api.call('PATCH', `/api/v1/schedules/${scheduleId}`, {
      key: owner.key,
      body: { alert_on_tokens_per_day: null },
    });
    expect(((await cleared.json()) as { alert_on_tokens_per_day: unknown }).alert_on_tokens_per_day).toBeNull();
  });

  it('refuses a KAIROS_PRICING that is not a price table', () => {
    expect(() => loadConfig({ KAIROS_PRICING: 'nope' })).toThrow(ConfigError);
    expect(() => loadConfig({ KAIROS_PRICING: '{"m": {"input_per_1k": -1, "output_per_1k": 0}}' })).toThrow(
      /KAIROS_PRICING/,
    );
  });
});
