import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from '../api/harness.ts';

interface ProviderJson {
  id: string;
  name: string;
  base_url: string;
  api_key: { env: string } | null;
  rpm: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  paused_until: string | null;
  owner_id: string;
  usage: { requests: number; tokens: number; running: number };
}

describe.each(['pglite', 'postgres'] as const)('providers API (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let admin: Caller;
  let viewer: Caller;
  beforeAll(async () => {
    h = await createApiHarness(kind, { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    admin = await h.caller('admin');
    alice = await h.caller('member');
    bob = await h.caller('member');
    viewer = await h.caller('viewer');
    // PGlite applies every migration in process: slow on a busy machine.
  }, 180_000);
  afterAll(() => h.close());

  const body = { name: 'openai', base_url: 'https://api.openai.example/v1', api_key: { env: 'OPENAI_KEY' }, rpm: 60 };

  it('creates, reads, lists, changes and deletes a provider; the key stays an env reference', async () => {
    const created = await h.call('POST', '/api/v1/providers', { key: alice.key, body: { ...body, tpm: 1000 } });
    expect(created.status, await created.clone().text()).toBe(201);
    const provider = (await created.json()) as ProviderJson;
    expect(provider).toMatchObject({
      name: 'openai',
      base_url: 'https://api.openai.example/v1',
      api_key: { env: 'OPENAI_KEY' },
      rpm: 60,
      tpm: 1000,
      max_concurrent: null,
      paused_until: null,
      owner_id: alice.userId,
      usage: { requests: 0, tokens: 0, running: 0 },
    });
    const got = (await (
      await h.call('GET', `/api/v1/providers/${provider.id}`, { key: alice.key })
    ).json()) as ProviderJson;
    expect(got.id).toBe(provider.id);

    const patched = await h.call('PATCH', `/api/v1/providers/${provider.id}`, {
      key: alice.key,
      body: { rpm: null, max_concurrent: 3, name: 'openai-main' },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(await patched.json()).toMatchObject({ name: 'openai-main', rpm: null, tpm: 1000, max_concurrent: 3 });

    const list = (await (await h.call('GET', '/api/v1/providers', { key: alice.key })).json()) as {
      data: ProviderJson[];
      total: number;
    };
    expect(list.data.map((p) => p.name)).toEqual(['openai-main']);

    expect((await h.call('DELETE', `/api/v1/providers/${provider.id}`, { key: alice.key })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/providers/${provider.id}`, { key: alice.key })).status).toBe(404);
  });

  it('refuses bad input with 422 naming the field, and a duplicate name with 409, changing nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...body, rpm: 0 }, 'rpm'],
      [{ ...body, tpm: 1.5 }, 'tpm'],
      [{ ...body, api_key: 'sk-plain-secret' }, 'api_key'],
      [{ ...body, api_key: { env: 'KAIROS_API_KEYS' } }, 'api_key.env'],
      [{ ...body, base_url: 'ftp://x.example' }, 'base_url'],
      [{ ...body, name: '' }, 'name'],
      [{ ...body, rate: 3 }, 'rate'],
    ];
    for (const [input, field] of cases) {
      const response = await h.call('POST', '/api/v1/providers', { key: alice.key, body: input });
      expect(response.status, JSON.stringify(input)).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.details).toMatchObject({ field });
      expect(error.message).not.toContain('sk-plain-secret');
    }
    const first = await h.call('POST', '/api/v1/providers', { key: alice.key, body: { ...body, name: 'dup' } });
    expect(first.status).toBe(201);
    const again = await h.call('POST', '/api/v1/providers', { key: alice.key, body: { ...body, name: 'dup' } });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toContain('"dup"');
    // Another user may use the same name: names are unique per owner.
    expect((await h.call('POST', '/api/v1/providers', { key: bob.key, body: { ...body, name: 'dup' } })).status).toBe(
      201,
    );
    expect((await h.call('POST', '/api/v1/providers', { key: viewer.key, body: { ...body, name: 'v' } })).status).toBe(
      403,
    );
  });

  it('odd bodies are 4xx, never 500, and create nothing', async () => {
    const before = (await (await h.call('GET', '/api/v1/providers', { key: alice.key })).json()) as { total: number };
    const bodies: unknown[] = [
      null,
      [],
      'text',
      42,
      {},
      { ...body, name: 1 },
      { ...body, base_url: null },
      { ...body, rpm: '5' },
      { ...body, rpm: 1e12 },
      { ...body, tpm: -1 },
      { ...body, max_concurrent: Number.MAX_SAFE_INTEGER },
      { ...body, api_key: { env: '' } },
      { ...body, api_key: { env: 'A', value: 'x' } },
      { ...body, name: 'a'.repeat(1000) },
      { ...body, name: "x'; DROP TABLE providers; --" },
      { ...body, base_url: 'https://user:pw@x.example/v1' },
    ];
    for (const input of bodies) {
      const response = await h.call('POST', '/api/v1/providers', { key: alice.key, body: input });
      expect(response.status, JSON.stringify(input)).toBeGreaterThanOrEqual(400);
      expect(response.status, JSON.stringify(input)).toBeLessThan(500);
    }
    const patch = await h.call('PATCH', `/api/v1/providers/not-a-uuid`, { key: alice.key, body: { rpm: 1 } });
    expect(patch.status).toBe(404);
    const after = (await (await h.call('GET', '/api/v1/providers', { key: alice.key })).json()) as { total: number };
    expect(after.total).toBe(before.total);
  });

  it('owners see their own, admins all; others get 404', async () => {
    const created = await h.call('POST', '/api/v1/providers', { key: bob.key, body: { ...body, name: 'bobs' } });
    const id = ((await created.json()) as ProviderJson).id;
    expect((await h.call('GET', `/api/v1/providers/${id}`, { key: alice.key })).status).toBe(404);
    expect((await h.call('PATCH', `/api/v1/providers/${id}`, { key: alice.key, body: { rpm: 1 } })).status).toBe(404);
    expect((await h.call('DELETE', `/api/v1/providers/${id}`, { key: alice.key })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/providers/${id}`, { key: admin.key })).status).toBe(200);
    const aliceList = (await (await h.call('GET', '/api/v1/providers', { key: alice.key })).json()) as {
      data: ProviderJson[];
    };
    expect(aliceList.data.every((p) => p.owner_id === alice.userId)).toBe(true);
    const adminList = (await (await h.call('GET', '/api/v1/providers', { key: admin.key })).json()) as {
      data: ProviderJson[];
    };
    expect(adminList.data.some((p) => p.id === id)).toBe(true);
  });

  it('an assistant names a provider: unknown is 422, llm needs no base_url of its own, delete in use is 409', async () => {
    const created = await h.call('POST', '/api/v1/providers', { key: alice.key, body: { ...body, name: 'shared' } });
    const providerId = ((await created.json()) as ProviderJson).id;
    const unknown = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'x', kind: 'llm', config: { model: 'm' }, provider: 'nope' },
    });
    expect(unknown.status).toBe(422);
    const unknownError = await errorOf(unknown);
    expect(unknownError).toMatchObject({ details: { field: 'provider', provider: 'nope' } });
    expect(unknownError.message).toContain('"nope"');
    // Bob's provider of the same name is not Alice's.
    await h.call('POST', '/api/v1/providers', { key: bob.key, body: { ...body, name: 'bob-only' } });
    const others = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'x', kind: 'llm', config: { model: 'm' }, provider: 'bob-only' },
    });
    expect(others.status).toBe(422);

    const llm = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'writer', kind: 'llm', config: { model: 'gpt-x' }, provider: 'shared' },
    });
    expect(llm.status, await llm.clone().text()).toBe(201);
    const assistant = (await llm.json()) as { id: string; provider: string; config: Record<string, unknown> };
    expect(assistant.provider).toBe('shared');
    expect(assistant.config.base_url).toBeUndefined();
    // Without the provider, an llm assistant needs its own base_url.
    const unset = await h.call('PATCH', `/api/v1/assistants/${assistant.id}`, {
      key: alice.key,
      body: { provider: null },
    });
    expect(unset.status).toBe(422);
    expect(await errorOf(unset)).toMatchObject({ details: { field: 'config.base_url' } });

    const inUse = await h.call('DELETE', `/api/v1/providers/${providerId}`, { key: alice.key });
    expect(inUse.status).toBe(409);
    const error = await errorOf(inUse);
    expect(error.code).toBe('provider_in_use');
    expect(error.message).toContain('writer');

    // A rename follows into the assistant.
    await h.call('PATCH', `/api/v1/providers/${providerId}`, { key: alice.key, body: { name: 'shared-2' } });
    const renamed = (await (await h.call('GET', `/api/v1/assistants/${assistant.id}`, { key: alice.key })).json()) as {
      provider: string;
    };
    expect(renamed.provider).toBe('shared-2');

    const moved = await h.call('PATCH', `/api/v1/assistants/${assistant.id}`, {
      key: alice.key,
      body: { provider: null, config: { model: 'gpt-x', base_url: 'https://other.example/v1' } },
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect((await h.call('DELETE', `/api/v1/providers/${providerId}`, { key: alice.key })).status).toBe(204);
  });
});
