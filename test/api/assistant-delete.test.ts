import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('deleting an assistant in use (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
  });
  afterAll(() => h.close());

  const post = async (path: string, body: unknown) => {
    const response = await h.call('POST', path, { key: alice.key, body });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const assistant = (name: string) => post('/api/v1/assistants', { name, kind: 'module', config: { module: 'echo' } });
  const status = async (path: string) => (await h.call('GET', path, { key: alice.key })).status;

  it('refuses with 409 assistant_in_use naming its schedules, triggers and workflows, changing nothing', async () => {
    const id = await assistant('Reporter');
    const scheduleId = await post('/api/v1/schedules', {
      assistant_id: id,
      schedule: '0 9 * * *',
      name: 'daily-report',
    });
    const triggerId = await post('/api/v1/triggers', {
      name: 'on-push',
      assistant_id: id,
      auth: { type: 'bearer', token: { env: 'PUSH_TOKEN' } },
    });
    const workflowId = await post('/api/v1/workflows', {
      name: 'pipeline',
      steps: [{ type: 'step', name: 'report', assistant_id: id }],
    });

    const refused = await h.call('DELETE', `/api/v1/assistants/${id}`, { key: alice.key });
    expect(refused.status).toBe(409);
    const error = await errorOf(refused);
    expect(error.code).toBe('assistant_in_use');
    expect(error.message).toBe(
      'assistant "Reporter" is used by 1 schedule (daily-report), 1 trigger (on-push), 1 workflow (pipeline): ' +
        'change or delete the workflow first, then delete with ?force=true to delete its schedules and triggers with it',
    );
    expect(error.details).toEqual({
      id,
      schedules: [{ id: scheduleId, name: 'daily-report' }],
      triggers: [{ id: triggerId, name: 'on-push' }],
      workflows: [{ id: workflowId, name: 'pipeline' }],
    });
    // A workflow that calls it refuses even with force: it would break at run time.
    const forcedPastWorkflow = await h.call('DELETE', `/api/v1/assistants/${id}?force=true`, { key: alice.key });
    expect(forcedPastWorkflow.status).toBe(409);
    expect(await status(`/api/v1/assistants/${id}`)).toBe(200);
    expect(await status(`/api/v1/schedules/${scheduleId}`)).toBe(200);
    expect(await status(`/api/v1/triggers/${triggerId}`)).toBe(200);

    expect((await h.call('DELETE', `/api/v1/workflows/${workflowId}`, { key: alice.key })).status).toBe(204);
    const stillFiring = await h.call('DELETE', `/api/v1/assistants/${id}`, { key: alice.key });
    expect(stillFiring.status).toBe(409);
    expect((await errorOf(stillFiring)).message).toBe(
      'assistant "Reporter" is used by 1 schedule (daily-report), 1 trigger (on-push): ' +
        'delete or retarget them, or delete with ?force=true to delete its schedules and triggers with it',
    );
    expect(await status(`/api/v1/schedules/${scheduleId}`)).toBe(200);

    const forced = await h.call('DELETE', `/api/v1/assistants/${id}?force=true`, { key: alice.key });
    expect(forced.status).toBe(204);
    expect(await status(`/api/v1/assistants/${id}`)).toBe(404);
    expect(await status(`/api/v1/schedules/${scheduleId}`)).toBe(404);
    expect(await status(`/api/v1/triggers/${triggerId}`)).toBe(404);
  });

  it('deletes an assistant nothing uses at once (204)', async () => {
    const id = await assistant('Unused');
    expect((await h.call('DELETE', `/api/v1/assistants/${id}`, { key: alice.key })).status).toBe(204);
    expect(await status(`/api/v1/assistants/${id}`)).toBe(404);
  });
});
