import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from '../api/harness.ts';

/** Who may see and change triggers: owners, admins; viewers read only. */
describe('trigger access', () => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;
  let admin: Caller;
  let assistantId: string;

  beforeAll(async () => {
    h = await createApiHarness('pglite', { KAIROS_PUBLIC_URL: 'https://kairos.example.com/' }, { services: true });
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    admin = await h.caller('admin');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    expect(created.status).toBe(201);
    assistantId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  it("scopes triggers to their owner (others get 404), lets admins see all, and refuses viewers' writes", async () => {
    const body = { name: 'mine', assistant_id: assistantId, auth: { type: 'bearer', token: { env: 'ALICE_TOKEN' } } };
    const created = await h.call('POST', '/api/v1/triggers', { key: alice.key, body });
    expect(created.status).toBe(201);
    const trigger = (await created.json()) as { id: string; url: string };
    expect(trigger.url).toBe(`https://kairos.example.com/hooks/${trigger.id}`);
    expect((await h.call('POST', '/api/v1/triggers', { key: alice.key, body })).status).toBe(409);

    expect((await h.call('GET', `/api/v1/triggers/${trigger.id}`, { key: bob.key })).status).toBe(404);
    expect(
      (await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, { key: bob.key, body: { enabled: false } })).status,
    ).toBe(404);
    expect((await h.call('GET', `/api/v1/triggers/${trigger.id}/deliveries`, { key: bob.key })).status).toBe(404);
    expect(
      ((await (await h.call('GET', '/api/v1/triggers', { key: bob.key })).json()) as { total: number }).total,
    ).toBe(0);
    // Bob cannot aim a trigger at Alice's assistant.
    const foreign = await h.call('POST', '/api/v1/triggers', { key: bob.key, body: { ...body, name: 'bobs' } });
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).message).toContain('assistant_id');
    // Nor at Alice's workflow.
    const workflow = await h.call('POST', '/api/v1/workflows', {
      key: alice.key,
      body: { name: 'flow', steps: [{ type: 'step', name: 'a', assistant_id: assistantId }] },
    });
    expect(workflow.status).toBe(201);
    const workflowId = ((await workflow.json()) as { id: string }).id;
    const foreignFlow = await h.call('POST', '/api/v1/triggers', {
      key: bob.key,
      body: { ...body, name: 'bobs-flow', assistant_id: undefined, workflow_id: workflowId },
    });
    expect(foreignFlow.status).toBe(404);
    expect(await errorOf(foreignFlow)).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^workflow_id: no workflow/),
    });
    const ownFlow = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: { ...body, name: 'alices-flow', assistant_id: undefined, workflow_id: workflowId },
    });
    expect(ownFlow.status).toBe(201);
    expect(await ownFlow.json()).toMatchObject({ workflow_id: workflowId, assistant_id: null });

    const denied = await h.call('POST', '/api/v1/triggers', { key: viewer.key, body: { ...body, name: 'viewers' } });
    expect(denied.status).toBe(403);
    expect((await h.call('GET', `/api/v1/triggers/${trigger.id}`, { key: admin.key })).status).toBe(200);
    expect(
      ((await (await h.call('GET', '/api/v1/triggers', { key: admin.key })).json()) as { total: number }).total,
    ).toBe(2);
    expect((await h.call('DELETE', `/api/v1/triggers/${trigger.id}`, { key: bob.key })).status).toBe(404);
    expect((await h.call('DELETE', `/api/v1/triggers/${trigger.id}`, { key: alice.key })).status).toBe(204);
  });

  it('needs no API key on the hook URL, and still needs one on the API', async () => {
    expect((await h.call('GET', '/api/v1/triggers')).status).toBe(401);
    const hook = await h.call('POST', '/hooks/00000000-0000-0000-0000-00000000beef', { body: {} });
    expect(hook.status).toBe(404);
  });
});
