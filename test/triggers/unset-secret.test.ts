import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriggerHarness, type TriggerHarness } from './harness.ts';

interface Trigger {
  id: string;
  url: string;
  ready: boolean;
  not_ready_reason: string | null;
}

// The variable names are unique to this file, so what the process environment holds is known.
const unsetVariable = 'NEWUSER_TRIGGER_SECRET_NEVER_SET';

describe('a trigger whose secret variable is unset (pglite)', () => {
  let h: TriggerHarness;
  beforeAll(async () => {
    delete process.env[unsetVariable];
    process.env.NEWUSER_TRIGGER_SECRET_SET = 'token-1';
    h = await createTriggerHarness('pglite');
  });
  afterAll(async () => {
    delete process.env.NEWUSER_TRIGGER_SECRET_SET;
    await h.close();
  });

  const create = async (name: string, env: string) => {
    const response = await h.call('POST', '/api/v1/triggers', {
      body: { name, assistant_id: h.assistantId, auth: { type: 'bearer', token: { env } } },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as Trigger;
  };

  it('is not shown ready, and says why to its owner', async () => {
    const unready = await create('unready', unsetVariable);
    expect(unready).toMatchObject({
      ready: false,
      not_ready_reason: `environment variable ${unsetVariable} (the trigger's secret) is not set on this Kairos server`,
    });
    const listed = (await (await h.call('GET', '/api/v1/triggers')).json()) as { data: Trigger[] };
    expect(listed.data.find((t) => t.id === unready.id)?.ready).toBe(false);
    const ready = await create('ready', 'NEWUSER_TRIGGER_SECRET_SET');
    expect(ready).toMatchObject({ ready: true, not_ready_reason: null });
  });

  it('answers an unauthenticated sender 503 with nothing about configuration, and records why', async () => {
    const trigger = await create('hidden', unsetVariable);
    const response = await h.call('POST', trigger.url, { body: { hello: 1 } });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).not.toContain(unsetVariable);
    expect(text).not.toMatch(/environment|variable|secret|config/i);
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'trigger_unavailable', message: 'this trigger cannot accept deliveries now; try again later' },
    });
    const deliveries = (await (await h.call('GET', `/api/v1/triggers/${trigger.id}/deliveries`)).json()) as {
      data: Array<{ outcome: string; reason: string }>;
    };
    expect(deliveries.data[0]).toMatchObject({
      outcome: 'misconfigured',
      reason: `environment variable ${unsetVariable} (the trigger's secret) is not set on this Kairos server`,
    });
  });
});
