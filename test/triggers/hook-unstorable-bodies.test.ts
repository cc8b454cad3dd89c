import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';

// Deliveries whose JSON body could not be stored as a run's input.
describe('trigger deliveries with bodies that cannot be stored as sent', () => {
  let h: ApiHarness;
  let alice: Caller;
  let triggerId: string;
  beforeAll(async () => {
    process.env.HOOK_TOKEN = 'tok'; // deliveries read the secret from the process environment
    h = await createApiHarness('postgres', {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    const assistantId = ((await assistant.json()) as { id: string }).id;
    const trigger = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: {
        name: 'hook',
        assistant_id: assistantId,
        auth: { type: 'bearer', token: { env: 'HOOK_TOKEN' } },
        rate_limit: null,
      },
    });
    triggerId = ((await trigger.json()) as { id: string }).id;
  });
  afterAll(async () => {
    delete process.env.HOOK_TOKEN;
    await h.close();
  });

  const runs = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs')).rows[0]!.n;
  const deliver = (body: string) =>
    h.app.request(`/hooks/${triggerId}`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body,
    });

  it.each([
    ['a NUL character', '{"a":"x\\u0000y"}'],
    ['a NUL character in a key', '{"k\\u0000":1}'],
    ['a lone surrogate', '{"a":"\\ud800"}'],
    ['nesting 5000 levels deep', `${'['.repeat(5000)}1${']'.repeat(5000)}`],
  ])('refuses %s with a 4xx and a code, creating no run', async (_what, body) => {
    const before = await runs();
    const response = await deliver(body);
    const text = await response.text();
    expect(response.status, text).toBeGreaterThanOrEqual(400);
    expect(response.status, text).toBeLessThan(500);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toMatch(/^[a-z_]+$/);
    expect(await runs()).toBe(before);
  });

  it('accepts an ordinary delivery', async () => {
    const response = await deliver('{"a":"ünï 💥"}');
    expect(response.status).toBe(202);
  });
});
