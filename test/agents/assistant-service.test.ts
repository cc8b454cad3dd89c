import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { assistantToJson, createAssistantService, type AssistantService } from '../../src/agents/assistant-service.ts';
import { ensureBuiltInAssistants, kairosDigestAssistantId } from '../../src/agents/builtin-assistants.ts';
import { defineAssistant } from '../../src/agents/define-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { insertSchedule, insertUser, localAdmin, rejection } from './fixtures.ts';

const registry = createModuleRegistry([
  defineAssistant({ id: 'kairos-digest', name: 'digest', run: () => null }),
  defineAssistant({ id: 'echo', name: 'Echo', run: (input) => input }),
]);

const resolveAll = async (hostname: string): Promise<LookupAddress[]> => {
  if (hostname === 'intranet.example') return [{ address: '10.1.2.3', family: 4 }];
  if (hostname === 'agents.example') return [{ address: '93.184.216.34', family: 4 }];
  throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
};

describe.each(databaseKinds)('AssistantService on %s', (kind) => {
  let testDb: TestDatabase;
  let service: AssistantService;
  let alice: Actor;
  let bob: Actor;
  let viewer: Actor;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    service = createAssistantService({
      db: testDb.db,
      config: { http: { allowPrivate: false, allowHosts: ['127.0.0.1'] } },
      registry,
      resolveAll,
    });
    alice = await insertUser(testDb.db, 'member', 'alice');
    bob = await insertUser(testDb.db, 'member', 'bob');
    viewer = await insertUser(testDb.db, 'viewer', 'vera');
  });
  afterAll(async () => {
    await testDb.close();
  });

  it('creates, gets, updates and deletes an http assistant', async () => {
    const created = await service.create(alice, {
      name: 'Reporter',
      kind: 'http',
      config: {
        url: 'https://agents.example/run',
        headers: { Authorization: { env: 'AGENT_TOKEN' }, 'X-Team': 'ops' },
        timeout_s: 30,
      },
      metadata: { team: 'ops' },
    });
    expect(created).toMatchObject({
      name: 'Reporter',
      kind: 'http',
      status: 'active',
      ownerId: alice.userId,
      builtIn: false,
      version: 1,
    });
    expect(created.config).toEqual({
      url: 'https://agents.example/run',
      headers: { Authorization: { env: 'AGENT_TOKEN' }, 'X-Team': 'ops' },
      timeout_s: 30,
    });
    expect(await service.get(alice, created.id)).toEqual(created);

    const updated = await service.update(alice, created.id, { status: 'inactive', description: 'nightly' });
    expect(updated).toMatchObject({ status: 'inactive', description: 'nightly', version: 2 });
    expect(updated.config).toEqual(created.config);

    await service.delete(alice, created.id);
    expect((await rejection(service.get(alice, created.id))).code).toBe('not_found');
  });

  it('keeps assistants to their owners: another member gets 404, admins see all, viewers cannot write', async () => {
    const own = await service.create(alice, { name: 'Private', kind: 'module', config: { module: 'echo' } });
    const notFound = await rejection(service.get(bob, own.id));
    expect(notFound.code).toBe('not_found');
    expect(notFound.status).toBe(404);
    expect((await rejection(service.update(bob, own.id, { name: 'mine' }))).code).toBe('not_found');
    expect((await rejection(service.delete(bob, own.id))).code).toBe('not_found');
    expect((await service.get(localAdmin, own.id)).id).toBe(own.id);
    const forbidden = await rejection(
      service.create(viewer, { name: 'x', kind: 'module', config: { module: 'echo' } }),
    );
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.status).toBe(403);
    expect((await service.list(bob, { name: 'Private' })).items).toEqual([]);
    expect((await service.list(alice, { name: 'privat' })).items.map((a) => a.id)).toEqual([own.id]);
  });

  it('refuses unknown fields, naming them', async () => {
    const top = await rejection(
      service.create(alice, {
        name: 'x',
        kind: 'http',
        config: { url: 'https://agents.example' },
        colour: 'red',
      } as never),
    );
    expect(top.code).toBe('invalid_request');
    expect(top.status).toBe(422);
    expect(top.message).toContain('colour');
    expect(top.details).toMatchObject({ field: 'colour' });
    const nested = await rejection(
      service.create(alice, { name: 'x', kind: 'http', config: { url: 'https://agents.example', tiemout_s: 5 } }),
    );
    expect(nested.details).toMatchObject({ field: 'config.tiemout_s' });
  });

  it.each([
    [{ kind: 'http', config: {} }, 'config.url'],
    [{ kind: 'http', config: { url: 'ftp://files.example/x' } }, 'config.url'],
    [{ kind: 'http', config: { url: 'https://user:pw@agents.example/' } }, 'config.url'],
    [{ kind: 'http', config: { url: 'https://agents.example/?api_key=abc' } }, 'config.url'],
    [{ kind: 'http', config: { url: 'https://agents.example/', timeout_s: 0 } }, 'config.timeout_s'],
    [{ kind: 'llm', config: { base_url: 'https://api.example/v1' } }, 'config.model'],
    [{ kind: 'llm', config: { model: 'gpt' } }, 'config.base_url'],
    [{ kind: 'llm', config: { base_url: 'https://api.example/v1', model: 'm', temperature: 3 } }, 'config.temperature'],
    [{ kind: 'module', config: {} }, 'config.module'],
    [{ kind: 'module', config: { module: 'nope' } }, 'config.module'],
    [{ kind: 'robot', config: {} }, 'kind'],
  ])('validates the config per kind: %j names %s', async (input, field) => {
    const error = await rejection(service.create(alice, { name: 'bad', ...input } as never));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toMatchObject({ field });
  });

  it('says which modules are registered when the module is unknown', async () => {
    const error = await rejection(service.create(alice, { name: 'm', kind: 'module', config: { module: 'nope' } }));
    expect(error.message).toContain('registered: echo, kairos-digest');
  });

  it.each([
    [
      { kind: 'llm', config: { base_url: 'https://api.example/v1', model: 'm', api_key: 'sk-live-123' } },
      'config.api_key',
    ],
    [
      { kind: 'http', config: { url: 'https://agents.example/', headers: { Authorization: 'Bearer abc' } } },
      'config.headers.Authorization',
    ],
    [
      { kind: 'http', config: { url: 'https://agents.example/', headers: { 'X-Api-Key': 'abc' } } },
      'config.headers.X-Api-Key',
    ],
    [
      { kind: 'http', config: { url: 'https://agents.example/', headers: { 'X-Custom': 'Bearer abc' } } },
      'config.headers.X-Custom',
    ],
    [{ kind: 'module', config: { module: 'echo', options: { db_password: 'hunter2' } } }, 'config.options.db_password'],
  ])('refuses plain-text secrets (%j) and says to use {"env":"NAME"}', async (input, field) => {
    const error = await rejection(service.create(alice, { name: 'secret', ...input } as never));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toMatchObject({ field });
    expect(error.message).toContain('{"env":"NAME"}');
    expect(error.message).not.toMatch(/sk-live-123|hunter2|Bearer abc/);
  });

  it("refuses env references to Kairos's own variables", async () => {
    const error = await rejection(
      service.create(alice, {
        name: 'x',
        kind: 'http',
        config: { url: 'https://agents.example/', headers: { 'X-Db': { env: 'DATABASE_URL' } } },
      }),
    );
    expect(error.details).toMatchObject({ field: 'config.headers.X-Db.env' });
  });

  it('shows env references and never a secret value in the public view', async () => {
    const created = await service.create(alice, {
      name: 'LLM',
      kind: 'llm',
      config: { base_url: 'https://api.example/v1', model: 'gpt-4o-mini', api_key: { env: 'OPENAI_API_KEY' } },
    });
    const json = assistantToJson(created);
    expect(json.config).toEqual({
      base_url: 'https://api.example/v1',
      model: 'gpt-4o-mini',
      api_key: { env: 'OPENAI_API_KEY' },
    });
    // A row written around the service (an old row, a bug) is still masked on the way out.
    const masked = assistantToJson({
      ...created,
      config: { url: 'https://x', headers: { authorization: 'Bearer leaked' } },
    });
    expect(JSON.stringify(masked)).not.toContain('leaked');
  });

  it('refuses private destinations at save time unless allowed', async () => {
    for (const url of ['http://10.0.0.1/', 'http://[::1]:80/', 'http://intranet.example/']) {
      const error = await rejection(service.create(alice, { name: 'p', kind: 'http', config: { url } }));
      expect(error.details).toMatchObject({ field: 'config.url' });
      expect(error.message).toContain('KAIROS_HTTP_ALLOW_HOSTS');
    }
    // A cloud metadata endpoint: refused with no way to allow it.
    const metadata = await rejection(
      service.create(alice, { name: 'p', kind: 'http', config: { url: 'http://169.254.169.254/' } }),
    );
    expect(metadata.message).toContain('cloud metadata endpoint');
    const llm = await rejection(
      service.create(alice, { name: 'p', kind: 'llm', config: { base_url: 'http://10.0.0.1/v1', model: 'm' } }),
    );
    expect(llm.details).toMatchObject({ field: 'config.base_url' });
    // 127.0.0.1 is on this service's allow list
    await expect(
      service.create(alice, { name: 'local', kind: 'http', config: { url: 'http://127.0.0.1:9/run' } }),
    ).resolves.toBeDefined();
  });

  it('validates the config again when kind or config changes', async () => {
    const created = await service.create(alice, { name: 'switch', kind: 'module', config: { module: 'echo' } });
    const error = await rejection(service.update(alice, created.id, { kind: 'http' }));
    expect(error.details).toMatchObject({ field: 'config' });
    const switched = await service.update(alice, created.id, {
      kind: 'http',
      config: { url: 'https://agents.example/' },
    });
    expect(switched).toMatchObject({ kind: 'http', config: { url: 'https://agents.example/' } });
    const bad = await rejection(service.update(alice, created.id, { config: { url: 'gopher://x' } }));
    expect(bad.details).toMatchObject({ field: 'config.url' });
  });

  it('lists with filters (kind, status, graph id, name, metadata), newest first, with totals and pages', async () => {
    const owner = await insertUser(testDb.db, 'member');
    const a = await service.create(owner, {
      name: 'Alpha',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'g1',
      metadata: { env: 'prod' },
    });
    const b = await service.create(owner, {
      name: 'Beta',
      kind: 'module',
      config: { module: 'echo' },
      status: 'inactive',
      metadata: { env: 'dev' },
    });
    const c = await service.create(owner, {
      name: 'Gamma',
      kind: 'http',
      config: { url: 'https://agents.example/' },
      graph_id: 'g1',
    });
    const all = await service.list(owner, { built_in: false });
    expect(all.items.map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect(all.total).toBe(3);
    expect((await service.list(owner, { kind: 'module', built_in: false })).items.map((x) => x.id)).toEqual([
      b.id,
      a.id,
    ]);
    expect((await service.list(owner, { status: 'inactive' })).items.map((x) => x.id)).toEqual([b.id]);
    expect((await service.list(owner, { graph_id: 'g1' })).items.map((x) => x.id)).toEqual([c.id, a.id]);
    expect((await service.list(owner, { metadata: { env: 'prod' } })).items.map((x) => x.id)).toEqual([a.id]);
    const page = await service.list(owner, { built_in: false, limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 3 });
    expect(page.items.map((x) => x.id)).toEqual([b.id]);
    expect((await rejection(service.list(owner, { limit: 0 }))).details).toMatchObject({ field: 'limit' });
  });

  it('resolves a graph id to its default assistant (system-created first, then the oldest)', async () => {
    const owner = await insertUser(testDb.db, 'member');
    const first = await service.create(owner, {
      name: 'first',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'agent-graph',
    });
    await service.create(owner, {
      name: 'second',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'agent-graph',
    });
    expect((await service.resolve(owner, 'agent-graph')).id).toBe(first.id);
    const system = await service.create(owner, {
      name: 'system',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'agent-graph',
      metadata: { created_by: 'system' },
    });
    expect((await service.resolve(owner, 'agent-graph')).id).toBe(system.id);
    expect((await service.resolve(owner, first.id)).id).toBe(first.id);
    expect((await rejection(service.resolve(bob, 'agent-graph'))).code).toBe('not_found');
  });

  it('assertRunnable refuses unknown, inactive and viewer targets with clear errors', async () => {
    const active = await service.create(alice, {
      name: 'runner',
      kind: 'module',
      config: { module: 'echo' },
      graph_id: 'runner-graph',
    });
    expect((await service.assertRunnable(alice, active.id)).id).toBe(active.id);
    expect((await service.assertRunnable(alice, 'runner-graph')).id).toBe(active.id);
    const unknown = await rejection(service.assertRunnable(alice, '00000000-0000-0000-0000-00000000abcd'));
    expect(unknown).toMatchObject({ code: 'not_found', status: 404 });
    await service.update(alice, active.id, { status: 'inactive' });
    const inactive = await rejection(service.assertRunnable(alice, active.id));
    expect(inactive).toMatchObject({ code: 'assistant_inactive', status: 422 });
    expect(inactive.message).toContain('"runner" is inactive');
    expect((await rejection(service.assertRunnable(viewer, active.id))).code).toBe('forbidden');
  });

  it('built-ins: created idempotently, visible and runnable by all, changed only by admins, never deleted', async () => {
    const [first] = await ensureBuiltInAssistants(testDb.db);
    const [again] = await ensureBuiltInAssistants(testDb.db);
    expect(first).toMatchObject({
      id: kairosDigestAssistantId,
      builtIn: true,
      kind: 'module',
      config: { module: 'kairos-digest' },
      graphId: 'kairos-digest',
    });
    expect(again!.updatedAt.getTime()).toBe(first!.updatedAt.getTime());
    const { rows } = await testDb.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM assistants WHERE built_in',
    );
    expect(rows[0]!.count).toBe(1);

    expect((await service.get(bob, kairosDigestAssistantId)).builtIn).toBe(true);
    expect((await service.list(bob, { built_in: true })).items.map((a) => a.id)).toEqual([kairosDigestAssistantId]);
    expect((await service.assertRunnable(bob, 'kairos-digest')).id).toBe(kairosDigestAssistantId);
    expect((await rejection(service.update(bob, kairosDigestAssistantId, { status: 'inactive' }))).code).toBe(
      'forbidden',
    );
    expect(
      (await rejection(service.update(localAdmin, kairosDigestAssistantId, { name: 'renamed' }))).details,
    ).toMatchObject({ field: 'name' });
    const deleted = await rejection(service.delete(localAdmin, kairosDigestAssistantId));
    expect(deleted).toMatchObject({ code: 'built_in', status: 409 });

    await service.update(localAdmin, kairosDigestAssistantId, { status: 'inactive' });
    const [afterRestart] = await ensureBuiltInAssistants(testDb.db);
    expect(afterRestart!.status).toBe('inactive');
    await service.update(localAdmin, kairosDigestAssistantId, { status: 'active' });
  });

  it('deleting an assistant in use is refused; with force it deletes its schedules', async () => {
    const created = await service.create(alice, { name: 'doomed', kind: 'module', config: { module: 'echo' } });
    const scheduleId = await insertSchedule(testDb.db, { ownerId: alice.userId, assistantId: created.id });
    expect((await rejection(service.delete(alice, created.id))).code).toBe('assistant_in_use');
    await service.delete(alice, created.id, { force: true });
    const { rows } = await testDb.db.query('SELECT id FROM schedules WHERE id = $1', [scheduleId]);
    expect(rows).toEqual([]);
  });
});
