import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// Found by the fuzz (test/fuzz): each of these answered 500, the database refusing the row
// (a timeout that rounds to 0 ms breaks CHECK (timeout_ms > 0); a backoff of 1e308 s is no integer).
describe('timeouts and backoffs at the edges of what can be stored', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let workflowId: string;
  beforeAll(async () => {
    h = await createApiHarness('postgres', { HOOK_SECRET: 'x' }, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const workflow = await h.call('POST', '/api/v1/workflows', {
      key: alice.key,
      body: { name: 'wf', steps: [{ type: 'step', name: 'a', module: 'echo' }] },
    });
    workflowId = ((await workflow.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  const counts = async () =>
    (
      await h.db.query<{ n: string }>(
        'SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM schedules) + (SELECT count(*) FROM triggers) AS n',
      )
    ).rows[0]!.n;

  it.each([
    [
      'a trigger timeout under a millisecond',
      '/api/v1/triggers',
      () => ({
        name: 't',
        assistant_id: assistantId,
        auth: { type: 'bearer', token: { env: 'HOOK_SECRET' } },
        timeout: 1e-7,
      }),
      'timeout',
    ],
    [
      'a schedule timeout under a millisecond',
      '/api/v1/schedules',
      () => ({ assistant_id: assistantId, schedule: '0 9 * * *', timeout: 0.0001 }),
      'timeout',
    ],
    [
      'a run timeout under a millisecond',
      '/api/v1/runs',
      () => ({ assistant_id: assistantId, timeout: 7.7e-235 }),
      'timeout',
    ],
    [
      'a run backoff past a day',
      '/api/v1/runs',
      () => ({ assistant_id: assistantId, retry: { max_attempts: 2, backoff: { initial_s: 1e308 } } }),
      'retry.backoff.initial_s',
    ],
    [
      'a run backoff cap past a day',
      '/api/v1/runs',
      () => ({ assistant_id: assistantId, retry: { max_attempts: 2, backoff: { max_s: 1e12 } } }),
      'retry.backoff.max_s',
    ],
    [
      'a run backoff factor past 100',
      '/api/v1/runs',
      () => ({ assistant_id: assistantId, retry: { max_attempts: 2, backoff: { factor: 1e308 } } }),
      'retry.backoff.factor',
    ],
    ['a workflow run timeout under a millisecond', 'workflow', () => ({ timeout: 1e-9 }), 'timeout'],
  ] as const)('refuses %s with 422 naming the field, storing nothing', async (_what, path, body, field) => {
    const before = await counts();
    const response = await h.call('POST', path === 'workflow' ? `/api/v1/workflows/${workflowId}/runs` : path, {
      key: alice.key,
      body: body(),
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(field);
    expect(await counts()).toBe(before);
  });

  it('accepts a timeout of one millisecond and stores it', async () => {
    const response = await h.call('POST', '/api/v1/runs', {
      key: alice.key,
      body: { assistant_id: assistantId, timeout: 0.001 },
    });
    expect(response.status).toBe(201);
    const { rows } = await h.db.query<{ timeout_ms: number }>('SELECT timeout_ms FROM runs WHERE id = $1', [
      ((await response.json()) as { id: string }).id,
    ]);
    expect(rows[0]!.timeout_ms).toBe(1);
  });
});
