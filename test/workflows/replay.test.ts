import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../src/api/app.ts';
import { issueKeyDirect } from '../../src/auth/key-service.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { admin, createWorkflowHarness, flatten, logger, type WorkflowHarness } from './harness.ts';

describe.each(databaseKinds)('run replay (%s)', (kind) => {
  let h: WorkflowHarness;
  let app: ReturnType<typeof createApiApp>;
  let adminKey: string;
  let otherKey: string;

  beforeAll(async () => {
    h = await createWorkflowHarness(kind);
    // Each answer says which call it was, so a reused output is told apart from a new one.
    h.agent.handle((request) => ({
      body: { call: h.agent.requests.length, input: (request.body as { input?: unknown }).input ?? null },
    }));
    const config = loadConfig({ KAIROS_LOG_LEVEL: 'silent', KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
    app = createApiApp({
      config,
      db: h.db,
      logger,
      replicaId: 'test',
      services: { assistants: h.assistants, runs: h.runs, workflows: h.workflows },
    });
    adminKey = (await issueKeyDirect(h.db, { role: 'admin', userName: 'boss' })).key;
    otherKey = (await issueKeyDirect(h.db, { role: 'member', userName: 'other' })).key;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const call = async (path: string, body?: unknown, key = adminKey) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(path, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const three = () => ({
    name: 'three',
    steps: [
      { type: 'step' as const, name: 'fetch', assistant_id: h.httpAssistantId },
      { type: 'step' as const, name: 'draft', assistant_id: h.httpAssistantId },
      { type: 'step' as const, name: 'polish', assistant_id: h.httpAssistantId },
    ],
  });

  it('from a step: the nodes before it are reused (not called), it and the rest run again', async () => {
    const original = await h.run(three(), { topic: 'x' });
    expect(original.run.status).toBe('success');
    const before = h.agent.requests.length;
    const steps = (original.run.output as { steps: Record<string, { call: number }> }).steps;
    // A new version of the workflow does not change what the replay walks: the replayed run's version.
    const changed = three();
    changed.steps.push({ type: 'step', name: 'extra', assistant_id: h.httpAssistantId });
    await h.workflows.update(admin, original.run.workflow_id!, { steps: changed.steps });

    const { status, body } = await call(`/api/v1/runs/${original.run.id}/replay`, { from_step: 'draft' });
    expect(status).toBe(202);
    expect(body.replay_of).toBe(original.run.id);
    expect(body.workflow_version).toBe(original.run.workflow_version);
    const replay = await h.finished(body.id as string);
    expect(replay.run.status).toBe('success');
    // fetch was not called again: two calls, draft's and polish's.
    expect(h.agent.requests.length - before).toBe(2);
    const output = replay.run.output as { steps: Record<string, { call: number }>; reused: string[] };
    expect(output.reused).toEqual(['fetch']);
    expect(output.steps.fetch).toEqual(steps.fetch);
    expect(output.steps.draft!.call).toBe(before + 1);
    expect(output.steps.polish!.call).toBe(before + 2);
    expect(replay.run.input).toEqual({ topic: 'x' });
    const tree = flatten(replay.steps).map((s) => [s.name, s.status, s.reused]);
    expect(tree).toEqual([
      ['fetch', 'success', true],
      ['draft', 'success', false],
      ['polish', 'success', false],
    ]);
  });

  it('by key, and without from_step everything runs again', async () => {
    const original = await h.run(three(), 'y');
    let before = h.agent.requests.length;
    const byKey = await h.runs.replay(admin, original.run.id, { from_step: 'steps[2]' });
    const replayed = await h.finished(byKey.id);
    expect(h.agent.requests.length - before).toBe(1);
    expect(flatten(replayed.steps).map((s) => s.reused)).toEqual([true, true, false]);

    before = h.agent.requests.length;
    const all = await call(`/api/v1/runs/${original.run.id}/replay`);
    expect(all.status).toBe(202);
    const again = await h.finished(all.body.id as string);
    expect(again.run.status).toBe('success');
    expect(h.agent.requests.length - before).toBe(3);
    expect((again.run.output as { reused?: unknown }).reused).toBeUndefined();
    expect(flatten(again.steps).every((s) => !s.reused)).toBe(true);
  });

  it('inside a loop: the iterations before the step are reused, the loop itself runs again', async () => {
    const original = await h.run(
      {
        name: 'looped',
        steps: [
          { type: 'step', name: 'first', module: 'count' },
          {
            type: 'loop',
            name: 'again',
            max_iterations: 2,
            steps: [{ type: 'step', name: 'inner', assistant_id: h.httpAssistantId }],
          },
        ],
      },
      null,
    );
    expect(original.run.status).toBe('success');
    const keys = flatten(original.steps).map((s) => s.key);
    const second = keys.find((k) => k.includes('@2'))!;
    const countCalls = h.calls.get('count');
    const before = h.agent.requests.length;
    const replay = await h.finished((await h.runs.replay(admin, original.run.id, { from_step: second })).id);
    expect(replay.run.status).toBe('success');
    expect(h.calls.get('count')).toBe(countCalls);
    expect(h.agent.requests.length - before).toBe(1);
    const reused = flatten(replay.steps)
      .filter((s) => s.reused)
      .map((s) => s.key);
    expect(reused).toEqual(['steps[0]', keys.find((k) => k.includes('@1'))]);
  });

  it('an unknown from_step is 422 naming it and the valid names; nothing is created', async () => {
    const original = await h.run(three(), 'z');
    const count = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs')).rows[0]!.n;
    const runsBefore = await count();
    const { status, body } = await call(`/api/v1/runs/${original.run.id}/replay`, { from_step: 'nope' });
    expect(status).toBe(422);
    const error = body.error as { code: string; message: string; details: Record<string, unknown> };
    expect(error.code).toBe('invalid_request');
    expect(error.details).toMatchObject({ field: 'from_step', from_step: 'nope', valid: ['fetch', 'draft', 'polish'] });
    expect(error.message).toContain('"draft"');
    expect(await count()).toBe(runsBefore);
  });

  it("another member's run is 404", async () => {
    const original = await h.run(three(), 'w');
    const { status, body } = await call(`/api/v1/runs/${original.run.id}/replay`, {}, otherKey);
    expect(status).toBe(404);
    expect((body.error as { code: string }).code).toBe('not_found');
  });

  it('a run of an assistant runs it again with the same input; from_step is 422', async () => {
    const run = await h.runs.create(admin, { assistant_id: h.httpAssistantId, input: { q: 1 } });
    await h.finished(run.id);
    const before = h.agent.requests.length;
    const { status, body } = await call(`/api/v1/runs/${run.id}/replay`, {});
    expect(status).toBe(202);
    expect(body).toMatchObject({ replay_of: run.id, assistant_id: h.httpAssistantId, input: { q: 1 } });
    const replay = await h.finished(body.id as string);
    expect(replay.run.status).toBe('success');
    expect(h.agent.requests.length - before).toBe(1);
    expect((replay.run.output as { input: unknown }).input).toEqual({ q: 1 });
    const refused = await call(`/api/v1/runs/${run.id}/replay`, { from_step: 'x' });
    expect(refused.status).toBe(422);
    expect((refused.body.error as { details: { field: string } }).details.field).toBe('from_step');
  });
});
