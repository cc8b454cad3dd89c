import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { createApiApp } from '../../src/api/app.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { ScheduleService } from '../../src/scheduler/schedule-service.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { RunService } from '../../src/worker/run-service.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { databaseKinds, createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { logger, testModules } from './harness.ts';

interface Problem {
  path: string;
  message: string;
}

describe.each(databaseKinds)('workflows API (%s)', (kind) => {
  let test: TestDatabase;
  let app: ReturnType<typeof createApiApp>;
  let runs: RunService;
  let assistantId: string;
  let inactiveId: string;
  let memberKey: string;
  let otherKey: string;
  let adminKey: string;

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    const db = test.db;
    const config = loadConfig({ KAIROS_LOG_LEVEL: 'silent', KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
    const registry = createModuleRegistry(testModules(new Map()));
    const assistants = createAssistantService({ db, config, registry });
    const workflows = new WorkflowService({ db, clock: systemClock, assistants, registry, startDeadlineMs: 300_000 });
    runs = new RunService({ db, clock: systemClock, startDeadlineMs: 300_000, assistants });
    const schedules = new ScheduleService({
      db,
      clock: systemClock,
      config: config.scheduler,
      startDeadlineMs: 300_000,
      assistants,
      workflows,
    });
    app = createApiApp({ config, db, logger, replicaId: 'test', services: { assistants, runs, schedules, workflows } });
    assistantId = (
      await insertAssistant(db, {
        ownerId: localAdminId,
        name: 'a',
        kind: 'http',
        config: { url: 'http://127.0.0.1:9/' },
      })
    ).id;
    inactiveId = (
      await insertAssistant(db, {
        ownerId: localAdminId,
        name: 'off',
        kind: 'http',
        status: 'inactive',
        config: { url: 'http://127.0.0.1:9/' },
      })
    ).id;
    memberKey = (await issueKeyDirect(db, { role: 'member', userName: 'member' })).key;
    otherKey = (await issueKeyDirect(db, { role: 'member', userName: 'other' })).key;
    adminKey = (await issueKeyDirect(db, { role: 'admin', userName: 'boss' })).key;
  }, 60_000);
  afterAll(async () => {
    await runs?.close();
    await test?.close();
  });

  const call = async (method: string, path: string, body?: unknown, key: string = adminKey) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers.authorization = `Bearer ${key}`;
    const response = await app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const problems = async (definition: unknown): Promise<Problem[]> => {
    const { status, body } = await call('POST', '/api/v1/workflows/validate', definition);
    expect(status).toBe(422);
    const error = body!.error as { code: string; message: string; details: { field: string; errors: Problem[] } };
    expect(error.code).toBe('invalid_workflow');
    expect(error.message.startsWith(`${error.details.errors[0]!.path}: `)).toBe(true);
    return error.details.errors;
  };
  const step = (name: string, extra: Record<string, unknown> = { module: 'echo' }) => ({
    type: 'step',
    name,
    ...extra,
  });
  const count = async () =>
    Number((await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM workflows')).rows[0]!.n);

  it('validate: 200 {valid: true} for a good definition, and saves nothing', async () => {
    const before = await count();
    const { status, body } = await call('POST', '/api/v1/workflows/validate', {
      name: 'ok',
      steps: [step('a'), step('b', { assistant_id: assistantId })],
    });
    expect(status).toBe(200);
    expect(body).toEqual({ valid: true });
    expect(await count()).toBe(before);
  });

  it('names the path of unknown and inactive assistants, unknown modules and step targets', async () => {
    const unknown = '00000000-0000-0000-0000-00000000dead';
    const found = await problems({
      name: 'refs',
      steps: [
        step('a', { assistant_id: unknown }),
        step('b', { assistant_id: inactiveId }),
        { type: 'parallel', name: 'p', steps: [step('c', { module: 'nope' })] },
        step('d', {}),
        step('e', { module: 'echo', assistant_id: assistantId }),
      ],
    });
    expect(found.map((p) => p.path).sort()).toEqual([
      'steps[0].assistant_id',
      'steps[1].assistant_id',
      'steps[2].steps[0].module',
      'steps[3]',
      'steps[4]',
    ]);
    const at = (path: string) => found.find((p) => p.path === path)!.message;
    expect(at('steps[0].assistant_id')).toContain(`no assistant "${unknown}"`);
    expect(at('steps[1].assistant_id')).toContain('inactive');
    expect(at('steps[2].steps[0].module')).toContain('module "nope" is not registered');
    expect(at('steps[3]')).toBe('give one of assistant_id, module or workflow_id');
    expect(at('steps[4]')).toContain('give only one of');
  });

  it('names the path of duplicate names, bad CEL, unknown variables, router choices, max_iterations and templates', async () => {
    const found = await problems({
      name: 'structure',
      steps: [
        step('x'),
        step('x'),
        { type: 'condition', name: 'c1', evaluator: 'input.a ==', steps: [step('c1a')] },
        { type: 'loop', name: 'l1', end_condition: 'nonsense > 1', steps: [step('l1a')] },
        { type: 'condition', name: 'c2', evaluator: '"text"', steps: [step('c2a')] },
        { type: 'router', name: 'r', selector: 'input.k ? "one" : "three"', choices: [step('one'), step('two')] },
        { type: 'loop', name: 'l2', max_iterations: 0, steps: [step('l2a')] },
        { type: 'loop', name: 'l3', max_iterations: 101, steps: [step('l3a')] },
        step('t', { module: 'echo', input: '{{steps.nobody}} and {{prev}}' }),
      ],
    });
    const at = (path: string) => found.filter((p) => p.path === path).map((p) => p.message);
    expect(at('steps[1].name')[0]).toContain('duplicate name "x" (also at steps[0])');
    expect(at('steps[2].evaluator')[0]).toMatch(/Unexpected|EOF/);
    expect(at('steps[3].end_condition')[0]).toContain('Unknown variable: nonsense');
    expect(at('steps[3].end_condition')[0]).toContain('current_iteration');
    expect(at('steps[4].evaluator')[0]).toContain('must return bool');
    expect(at('steps[5].selector')[0]).toContain('can return "three", which is not a choice (choices: one, two)');
    expect(at('steps[5].choices[1].name')[0]).toContain('never name "two"');
    expect(at('steps[6].max_iterations')[0]).toContain('0 is outside 1-100');
    expect(at('steps[7].max_iterations')[0]).toContain('101 is outside 1-100');
    expect(at('steps[8].input')).toHaveLength(2);
    expect(at('steps[8].input').join()).toContain('{{steps.nobody}}');
    expect(found).toHaveLength(10);
  });

  it('names the path of nesting deeper than 16 and of more than 500 nodes', async () => {
    let node: Record<string, unknown> = step('leaf');
    for (let depth = 16; depth >= 1; depth--) node = { type: 'loop', name: `l${depth}`, steps: [node] };
    const deep = await problems({ name: 'deep', steps: [node] });
    expect(deep).toEqual([{ path: `steps[0]${'.steps[0]'.repeat(16)}`, message: 'nesting is deeper than 16 levels' }]);
    const wide = await problems({ name: 'wide', steps: Array.from({ length: 501 }, (_, i) => step(`s${i}`)) });
    expect(wide).toEqual([{ path: 'steps', message: '501 nodes; a workflow may have at most 500' }]);
  });

  it('names the path of shape errors: unknown types, unknown fields, missing steps', async () => {
    expect(
      await problems({ name: 'shape', steps: [{ type: 'step', name: 'a', module: 'echo', colour: 'red' }] }),
    ).toEqual([{ path: 'steps[0].colour', message: expect.stringContaining('unknown field "colour"') }]);
    expect((await problems({ name: 'shape', steps: [{ type: 'teleport', name: 'a' }] }))[0]!.path).toBe(
      'steps[0].type',
    );
    expect((await problems({ name: 'shape', steps: [] }))[0]).toEqual({
      path: 'steps',
      message: 'a workflow needs at least one step',
    });
  });

  it('nested workflows: unknown, inactive, and cycles between workflows', async () => {
    const leaf = await call('POST', '/api/v1/workflows', { name: `leaf-${kind}`, steps: [step('a')] });
    expect(leaf.status).toBe(201);
    const leafId = leaf.body!.id as string;
    const parent = await call('POST', '/api/v1/workflows', {
      name: `parent-${kind}`,
      steps: [step('child', { workflow_id: leafId })],
    });
    expect(parent.status).toBe(201);
    const parentId = parent.body!.id as string;
    // leaf → parent would close a cycle (parent already runs leaf).
    const cycle = await call('PATCH', `/api/v1/workflows/${leafId}`, {
      steps: [step('back', { workflow_id: parentId })],
    });
    expect(cycle.status).toBe(422);
    expect((cycle.body!.error as { details: { errors: Problem[] } }).details.errors).toEqual([
      { path: 'steps[0].workflow_id', message: expect.stringContaining('runs this workflow again (a cycle)') },
    ]);
    const self = await call('PATCH', `/api/v1/workflows/${leafId}`, { steps: [step('me', { workflow_id: leafId })] });
    expect((self.body!.error as { details: { field: string } }).details.field).toBe('steps[0].workflow_id');
    expect((await call('GET', `/api/v1/workflows/${leafId}`)).body!.version).toBe(1);

    const off = await call('POST', '/api/v1/workflows', {
      name: `off-${kind}`,
      status: 'inactive',
      steps: [step('a')],
    });
    expect(
      await problems({
        name: 'n',
        steps: [
          step('x', { workflow_id: off.body!.id }),
          step('y', { workflow_id: '00000000-0000-0000-0000-0000000000ff' }),
        ],
      }),
    ).toEqual([
      { path: 'steps[0].workflow_id', message: expect.stringContaining('inactive') },
      { path: 'steps[1].workflow_id', message: expect.stringContaining('no workflow') },
    ]);
  });

  it('CRUD: create, get, list with filters that filter, update (version + 1), runs, delete', async () => {
    const created = await call(
      'POST',
      '/api/v1/workflows',
      { name: 'research pipeline', description: 'finds things', steps: [step('a')], metadata: { team: 'x' } },
      memberKey,
    );
    expect(created.status).toBe(201);
    const id = created.body!.id as string;
    expect(created.body).toMatchObject({
      name: 'research pipeline',
      description: 'finds things',
      status: 'active',
      version: 1,
      source: 'api',
      metadata: { team: 'x' },
    });
    expect(created.body!.definition).toEqual({
      name: 'research pipeline',
      description: 'finds things',
      steps: [{ type: 'step', name: 'a', module: 'echo' }],
      metadata: { team: 'x' },
    });
    expect(
      (await call('POST', '/api/v1/workflows', { name: 'research pipeline', steps: [step('a')] }, memberKey)).status,
    ).toBe(409);
    await call('POST', '/api/v1/workflows', { name: 'publisher', steps: [step('a')], status: 'inactive' }, memberKey);

    const names = async (query: string, key = memberKey) =>
      ((await call('GET', `/api/v1/workflows${query}`, undefined, key)).body!.data as Array<{ name: string }>)
        .map((w) => w.name)
        .sort();
    expect(await names('')).toEqual(['publisher', 'research pipeline']);
    expect(await names('?name=RESEARCH')).toEqual(['research pipeline']);
    expect(await names('?search=finds')).toEqual(['research pipeline']);
    expect(await names('?status=inactive')).toEqual(['publisher']);
    expect(await names('?limit=1&offset=1')).toHaveLength(1);
    expect(await names('', otherKey)).toEqual([]);
    expect((await call('GET', `/api/v1/workflows/${id}`, undefined, otherKey)).status).toBe(404);
    expect((await call('GET', '/api/v1/workflows?status=bogus', undefined, memberKey)).status).toBe(422);

    const updated = await call(
      'PATCH',
      `/api/v1/workflows/${id}`,
      { steps: [step('a'), step('b', { module: 'upper' })] },
      memberKey,
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, name: 'research pipeline', description: 'finds things' });
    const bad = await call('PATCH', `/api/v1/workflows/${id}`, { steps: [step('a'), step('a')] }, memberKey);
    expect(bad.status).toBe(422);
    expect((await call('GET', `/api/v1/workflows/${id}`, undefined, memberKey)).body!.version).toBe(2);

    const run = await call('POST', `/api/v1/workflows/${id}/runs`, { input: { topic: 'cel' } }, memberKey);
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({
      status: 'pending',
      workflow_id: id,
      assistant_id: null,
      trigger: 'api',
      input: { topic: 'cel' },
    });
    const listed = await call('GET', `/api/v1/workflows/${id}/runs`, undefined, memberKey);
    expect((listed.body!.data as Array<{ id: string }>).map((r) => r.id)).toEqual([run.body!.id]);
    const got = await call('GET', `/api/v1/runs/${run.body!.id as string}`, undefined, memberKey);
    expect(got.body).toMatchObject({ workflow_id: id, workflow_version: null, steps: [] });
    const filtered = await call('GET', `/api/v1/runs?workflow_id=${id}`, undefined, memberKey);
    expect(filtered.body!.total).toBe(1);

    // A schedule targets exactly one of an assistant and a workflow.
    const both = await call('POST', '/api/v1/schedules', {
      assistant_id: assistantId,
      workflow_id: id,
      schedule: '0 9 * * *',
    });
    expect(both.status).toBe(422);
    expect((both.body!.error as { details: { field: string } }).details.field).toBe('workflow_id');
    const neither = await call('POST', '/api/v1/schedules', { schedule: '0 9 * * *' });
    expect(neither.status).toBe(422);
    const scheduled = await call(
      'POST',
      '/api/v1/schedules',
      { workflow_id: id, schedule: '0 9 * * *', input_template: { day: '{{date}}' } },
      memberKey,
    );
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toMatchObject({ workflow_id: id, assistant_id: null });
    expect((scheduled.body!.name as string).startsWith('research pipeline-')).toBe(true);
    const trigger = await call('POST', `/api/v1/schedules/${scheduled.body!.id as string}/trigger`, {}, memberKey);
    expect(trigger.body).toMatchObject({ workflow_id: id, trigger: 'manual' });

    const inUse = await call('DELETE', `/api/v1/workflows/${id}`, undefined, memberKey);
    expect(inUse.status).toBe(409);
    expect((inUse.body!.error as { code: string }).code).toBe('workflow_in_use');
    expect(
      (await call('DELETE', `/api/v1/schedules/${scheduled.body!.id as string}`, undefined, memberKey)).status,
    ).toBe(204);
    expect((await call('DELETE', `/api/v1/workflows/${id}`, undefined, memberKey)).status).toBe(204);
    expect((await call('GET', `/api/v1/workflows/${id}`, undefined, memberKey)).status).toBe(404);
    // The run history is kept.
    expect((await call('GET', `/api/v1/runs/${run.body!.id as string}`, undefined, memberKey)).status).toBe(200);
  });

  it('assistants of kind workflow are gone: one way to target a workflow', async () => {
    const response = await call('POST', '/api/v1/assistants', { name: 'wf', kind: 'workflow', config: {} });
    expect(response.status).toBe(422);
  });

  it('the OpenAPI document lists the workflow routes', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/workflows']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/workflows/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/api/v1/workflows/{id}/runs']!).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/workflows/validate']!.post).toBeDefined();
  });
});
