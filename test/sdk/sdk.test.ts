import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos, KairosApiError, operations } from '../../src/sdk/index.ts';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';

describe('SDK', () => {
  let h: ApiHarness;
  let alice: Caller;
  let client: (key?: string) => Kairos;
  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    alice = await h.caller('member');
    const fetchViaApp = ((input: string | Request | URL, init?: RequestInit) =>
      Promise.resolve(h.app.request(input instanceof Request ? input : String(input), init))) as typeof fetch;
    client = (key) => new Kairos({ baseUrl: 'http://kairos.test/', ...(key !== undefined && { apiKey: key }), fetch: fetchViaApp });
  });
  afterAll(() => h.close());

  it('calls only operations the OpenAPI document has, and covers every /api/v1 operation', async () => {
    const doc = (await (await h.call('GET', '/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)),
    );
    const called = new Set(Object.values(operations).map((operation) => `${operation.method} ${operation.path}`));
    expect([...called].filter((operation) => !documented.has(operation))).toEqual([]);
    const apiOperations = [...documented].filter((operation) => operation.includes(' /api/v1/') && !operation.endsWith('/openapi.json'));
    expect(apiOperations.filter((operation) => !called.has(operation))).toEqual([]);
  });

  it('exposes every operation as a method of its namespace', () => {
    const kairos = client();
    for (const name of Object.keys(operations)) {
      const [namespace, method] = name.split('.') as [string, string];
      const resource = (kairos as unknown as Record<string, Record<string, unknown>>)[namespace];
      expect(typeof resource?.[method], name).toBe('function');
    }
  });

  it('drives the API end to end with typed answers', async () => {
    const kairos = client(alice.key);
    expect((await kairos.users.me()).id).toBe(alice.userId);
    const assistant = await kairos.assistants.create({ name: 'SDK echo', kind: 'module', config: { module: 'echo' }, metadata: { via: 'sdk' } });
    expect((await kairos.assistants.list({ metadata: { via: 'sdk' } })).data.map((item) => item.id)).toEqual([assistant.id]);
    const schedule = await kairos.schedules.create({ assistant_id: assistant.id, schedule: { cron: '0 6 * * *', timezone: 'Asia/Tokyo' } });
    expect(schedule.next_run_at).toMatch(/T21:00:00\.000Z$/);
    const preview = await kairos.schedules.preview({ cron: '*/10 * * * *', count: 2 });
    expect(preview.times).toHaveLength(2);
    const run = await kairos.schedules.trigger(schedule.id);
    expect((await kairos.runs.get(run.id)).events).toBeInstanceOf(Array);
    expect((await kairos.schedules.runs(schedule.id)).total).toBe(1);
    expect((await kairos.runs.cancel(run.id)).status).toBe('cancelled');
    const thread = await kairos.threads.create({ assistant_id: assistant.id });
    await kairos.threads.appendMessages(thread.id, [{ role: 'user', content: 'hi' }]);
    expect((await kairos.threads.get(thread.id)).message_count).toBe(1);
    await kairos.schedules.delete(schedule.id);
    const created = await kairos.keys.create({ name: 'sdk' });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect((await kairos.keys.revoke(created.id)).revoked_at).not.toBeNull();
  });

  it('drives workflows: validate, create, list, get, update, run, runs, delete', async () => {
    const kairos = client(alice.key);
    const definition = { name: 'sdk-flow', steps: [{ type: 'step' as const, name: 'first', module: 'echo' }], metadata: { via: 'sdk' } };
    expect(await kairos.workflows.validate(definition)).toEqual({ valid: true });
    const broken = await kairos.workflows
      .validate({ name: 'bad', steps: [{ type: 'step', name: 'x', module: 'nope' }] })
      .catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(KairosApiError);
    expect(broken).toMatchObject({ status: 422, code: 'invalid_workflow', details: { errors: [{ path: 'steps[0].module' }] } });
    const workflow = await kairos.workflows.create(definition);
    expect(workflow).toMatchObject({ name: 'sdk-flow', version: 1, status: 'active', source: 'api' });
    expect(workflow.definition.steps).toEqual(definition.steps);
    const listed = await kairos.workflows.list({ name: 'SDK-FL' });
    expect(listed.data.map((item) => item.id)).toEqual([workflow.id]);
    expect((await kairos.workflows.list({ name: 'absent' })).total).toBe(0);
    expect((await kairos.workflows.get(workflow.id)).id).toBe(workflow.id);
    const updated = await kairos.workflows.update(workflow.id, { description: 'one echo' });
    expect(updated).toMatchObject({ version: 2, description: 'one echo' });
    const run = await kairos.workflows.run(workflow.id, { input: { topic: 'x' } });
    expect(run).toMatchObject({ status: 'pending', trigger: 'api', workflow_id: workflow.id, assistant_id: null });
    expect((await kairos.workflows.runs(workflow.id)).data.map((item) => item.id)).toEqual([run.id]);
    expect((await kairos.workflows.runs(workflow.id, { status: 'success' })).total).toBe(0);
    expect((await kairos.runs.cancel(run.id)).status).toBe('cancelled');
    await kairos.workflows.delete(workflow.id);
    expect(await kairos.workflows.get(workflow.id).catch((error: unknown) => error)).toMatchObject({ status: 404 });
  });

  it('throws KairosApiError carrying the status, code and details', async () => {
    const kairos = client(alice.key);
    const notFound = await kairos.schedules.get('00000000-0000-0000-0000-00000000beef').catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(KairosApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await kairos.users.create({ name: 'x' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 403, code: 'forbidden' });
    const unauthorized = await client('kairos_nope').users.me().catch((error: unknown) => error);
    expect(unauthorized).toMatchObject({ status: 401, code: 'unauthorized' });
    const unreachable = await new Kairos({ baseUrl: 'http://127.0.0.1:1' }).users.me().catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ status: 0, code: 'network_error' });
  });
});
