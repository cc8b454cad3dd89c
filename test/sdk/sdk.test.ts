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
    client = (key) =>
      new Kairos({ baseUrl: 'http://kairos.test/', ...(key !== undefined && { apiKey: key }), fetch: fetchViaApp });
  });
  afterAll(() => h.close());

  it('calls only operations the OpenAPI document has, and covers every /api/v1 operation', async () => {
    const doc = (await (await h.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const called = new Set(Object.values(operations).map((operation) => `${operation.method} ${operation.path}`));
    expect([...called].filter((operation) => !documented.has(operation))).toEqual([]);
    const apiOperations = [...documented].filter(
      (operation) => operation.includes(' /api/v1/') && !operation.endsWith('/openapi.json'),
    );
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
    const assistant = await kairos.assistants.create({
      name: 'SDK echo',
      kind: 'module',
      config: { module: 'echo' },
      metadata: { via: 'sdk' },
    });
    expect((await kairos.assistants.list({ metadata: { via: 'sdk' } })).data.map((item) => item.id)).toEqual([
      assistant.id,
    ]);
    const schedule = await kairos.schedules.create({
      assistant_id: assistant.id,
      schedule: { cron: '0 6 * * *', timezone: 'Asia/Tokyo' },
    });
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
    const trigger = await kairos.triggers.create({
      name: 'sdk hook',
      assistant_id: assistant.id,
      auth: { type: 'bearer', token: { env: 'SDK_HOOK_TOKEN' } },
    });
    expect(trigger.url).toBe(`/hooks/${trigger.id}`);
    expect((await kairos.triggers.list()).data.map((item) => item.id)).toEqual([trigger.id]);
    expect((await kairos.triggers.update(trigger.id, { enabled: false })).enabled).toBe(false);
    expect((await kairos.triggers.get(trigger.id)).auth).toEqual({ type: 'bearer', token: { env: 'SDK_HOOK_TOKEN' } });
    expect((await kairos.triggers.deliveries(trigger.id)).total).toBe(0);
    expect(trigger.debounce).toBeNull();
    expect(
      (await kairos.triggers.update(trigger.id, { debounce: { period: '30s', key: '{{event.body.id}}' } })).debounce,
    ).toEqual({
      period: '30s',
      period_ms: 30_000,
      key: '{{event.body.id}}',
    });
    await kairos.triggers.delete(trigger.id);
    const created = await kairos.keys.create({ name: 'sdk' });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect((await kairos.keys.revoke(created.id)).revoked_at).not.toBeNull();
  });

  it('drives workflows: validate, create, list, get, update, run, runs, delete', async () => {
    const kairos = client(alice.key);
    const definition = {
      name: 'sdk-flow',
      steps: [{ type: 'step' as const, name: 'first', module: 'echo' }],
      metadata: { via: 'sdk' },
    };
    expect(await kairos.workflows.validate(definition)).toEqual({ valid: true });
    const broken = await kairos.workflows
      .validate({ name: 'bad', steps: [{ type: 'step', name: 'x', module: 'nope' }] })
      .catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(KairosApiError);
    expect(broken).toMatchObject({
      status: 422,
      code: 'invalid_workflow',
      details: { errors: [{ path: 'steps[0].module' }] },
    });
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

  it('ensures a schedule by name: created, unchanged, updated, skipped, and schedule_exists for a hand-made one', async () => {
    const kairos = client(alice.key);
    const assistant = await kairos.assistants.create({
      name: 'SDK ensure',
      kind: 'module',
      config: { module: 'echo' },
    });
    const body = { name: 'sdk-nightly', assistant_id: assistant.id, schedule: { cron: '0 3 * * *', timezone: 'UTC' } };
    const created = await kairos.schedules.ensure(body);
    expect(created).toMatchObject({
      result: 'created',
      changed: [],
      schedule: { name: 'sdk-nightly', source: 'apply' },
    });
    expect(await kairos.schedules.ensure(body)).toMatchObject({
      result: 'unchanged',
      schedule: { id: created.schedule.id, version: created.schedule.version },
    });
    const moved = await kairos.schedules.ensure({ ...body, schedule: { cron: '0 4 * * *', timezone: 'UTC' } });
    expect(moved).toMatchObject({ result: 'updated', changed: ['schedule'] });
    expect(moved.schedule.next_run_at).toMatch(/T04:00:00\.000Z$/);
    await kairos.schedules.create({ name: 'sdk-by-hand', assistant_id: assistant.id, schedule: '0 5 * * *' });
    const refused = await kairos.schedules.ensure({ ...body, name: 'sdk-by-hand' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KairosApiError);
    expect(refused).toMatchObject({
      status: 409,
      code: 'schedule_exists',
      details: { name: 'sdk-by-hand', source: 'api' },
    });
    expect(await kairos.schedules.ensure({ ...body, name: 'sdk-by-hand' }, { if_exists: 'skip' })).toMatchObject({
      result: 'skipped',
    });
  });

  it('backfills (dry run, then for real, then nothing new) and pauses with a note', async () => {
    const kairos = client(alice.key);
    const assistant = await kairos.assistants.create({
      name: 'SDK backfill',
      kind: 'module',
      config: { module: 'echo' },
    });
    const schedule = await kairos.schedules.create({
      assistant_id: assistant.id,
      schedule: { cron: '0 6 * * *' },
      pause_after_failures: 5,
    });
    expect(schedule.pause_after_failures).toBe(5);
    const window = { from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' };
    const preview = await kairos.schedules.backfill(schedule.id, { ...window, dry_run: true });
    expect(preview).toMatchObject({ dry_run: true, occurrences: 3, runs: 3, run_ids: [] });
    expect((await kairos.schedules.runs(schedule.id)).total).toBe(0);
    const done = await kairos.schedules.backfill(schedule.id, window);
    expect(done).toMatchObject({
      dry_run: false,
      runs: 3,
      scheduled_for: ['2026-01-01T06:00:00.000Z', '2026-01-02T06:00:00.000Z', '2026-01-03T06:00:00.000Z'],
    });
    const backfilled = await kairos.schedules.runs(schedule.id, { trigger: 'backfill' });
    expect(backfilled.data.map((run) => run.id).sort()).toEqual([...done.run_ids].sort());
    expect((await kairos.schedules.backfill(schedule.id, window)).runs).toBe(0);
    const tooLarge = await kairos.schedules
      .backfill(schedule.id, { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })
      .catch((error: unknown) => error);
    expect(tooLarge).toMatchObject({ status: 422, code: 'backfill_too_large', details: { cap: 1000 } });

    const paused = await kairos.schedules.pause(schedule.id, { note: 'waiting for the new model' });
    expect(paused.paused).toMatchObject({ by: alice.userId, note: 'waiting for the new model' });
    expect((await kairos.schedules.get(schedule.id)).paused?.note).toBe('waiting for the new model');
    expect((await kairos.schedules.resume(schedule.id)).paused).toBeNull();
    expect((await kairos.schedules.pause(schedule.id)).paused).toMatchObject({ note: null });
  });

  it('throws KairosApiError carrying the status, code and details', async () => {
    const kairos = client(alice.key);
    const notFound = await kairos.schedules
      .get('00000000-0000-0000-0000-00000000beef')
      .catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(KairosApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await kairos.users.create({ name: 'x' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 403, code: 'forbidden' });
    const unauthorized = await client('kairos_nope')
      .users.me()
      .catch((error: unknown) => error);
    expect(unauthorized).toMatchObject({ status: 401, code: 'unauthorized' });
    const unreachable = await new Kairos({ baseUrl: 'http://127.0.0.1:1' }).users.me().catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ status: 0, code: 'network_error' });
  });
});
