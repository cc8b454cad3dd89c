import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createTriggerHarness, type TriggerHarness } from './harness.ts';

const githubSecret = 'gh-workflow-secret-5be1c0de';
process.env.TEST_WORKFLOW_HOOK_SECRET = githubSecret;
const pushPayload = readFileSync(new URL('../fixtures/github-push.json', import.meta.url));
const auth = { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'TEST_WORKFLOW_HOOK_SECRET' } };

interface HookBody {
  delivery_id: string;
  run_id: string | null;
  replayed: boolean;
  run: {
    id: string;
    status: string;
    error?: string | null;
    trigger: string;
    workflow_id: string | null;
    assistant_id: string | null;
    input: unknown;
    output: unknown;
  } | null;
  error?: { code: string; message: string };
}

/** Triggers whose deliveries run a workflow: the same engine as assistant targets (docs/triggers.md). */
describe.each(databaseKinds)('triggers targeting workflows (%s)', (kind) => {
  let h: TriggerHarness;
  let workflowId: string;
  let counter = 0;

  beforeAll(async () => {
    h = await createTriggerHarness(kind);
    // The agent answers with what it was given, so each step's output shows its input.
    h.agent.behave((request) => ({ kind: 'ok', output: { got: request.body.input } }));
    const created = await h.call('POST', '/api/v1/workflows', {
      body: {
        name: 'review-push',
        steps: [
          { type: 'step', name: 'summarise', assistant_id: h.assistantId },
          {
            type: 'step',
            name: 'review',
            assistant_id: h.assistantId,
            input: { summary: '{{previous}}', event: '{{input}}' },
          },
        ],
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    workflowId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  async function createTrigger(body: Record<string, unknown>): Promise<{
    status: number;
    body: {
      id: string;
      url: string;
      workflow_id: string | null;
      assistant_id: string | null;
      error?: { code: string; message: string };
    };
  }> {
    const response = await h.call('POST', '/api/v1/triggers', {
      body: { name: `wf-trigger-${++counter}`, auth, ...body },
    });
    return { status: response.status, body: (await response.json()) as never };
  }
  async function deliver(url: string, delivery: string): Promise<{ status: number; body: HookBody }> {
    const response = await h.call('POST', url, {
      body: pushPayload,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signGithub(githubSecret, pushPayload),
        'x-github-event': 'push',
        'x-github-delivery': delivery,
      },
    });
    return { status: response.status, body: (await response.json()) as HookBody };
  }

  it('runs a two-step workflow from a GitHub-signed delivery; ?wait answers with its output; a replay answers with the first run', async () => {
    const trigger = await createTrigger({
      workflow_id: workflowId,
      input_template: { repo: '{{event.body.repository.full_name}}', ref: '{{event.body.ref}}' },
    });
    expect(trigger.status).toBe(201);
    expect(trigger.body).toMatchObject({ workflow_id: workflowId, assistant_id: null });
    const listed = (await (await h.call('GET', `/api/v1/triggers?workflow_id=${workflowId}`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(listed.data.map((t) => t.id)).toEqual([trigger.body.id]);

    const delivery = randomUUID();
    const answer = await deliver(`${trigger.body.url}?wait=30`, delivery);
    expect(answer.status).toBe(200);
    const input = { repo: 'octocat/Hello-World', ref: 'refs/heads/main' };
    const summary = { got: input };
    const review = { got: { summary, event: input } };
    expect(answer.body.run).toMatchObject({
      id: answer.body.run_id,
      status: 'success',
      trigger: 'event',
      workflow_id: workflowId,
      assistant_id: null,
      input,
    });
    expect(answer.body.run!.output).toEqual({ content: review, steps: { summarise: summary, review } });

    const replay = await deliver(trigger.body.url, delivery);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      replayed: true,
      run_id: answer.body.run_id,
      run: { id: answer.body.run_id, status: 'success', workflow_id: workflowId },
    });
    const { rows } = await h.test.db.query<{ id: string; workflow_id: string }>(
      'SELECT id, workflow_id::text FROM runs WHERE trigger_id = $1',
      [trigger.body.id],
    );
    expect(rows).toEqual([{ id: answer.body.run_id, workflow_id: workflowId }]);

    // A workflow that a trigger targets cannot be deleted from under it.
    const remove = await h.call('DELETE', `/api/v1/workflows/${workflowId}`);
    expect(remove.status).toBe(409);
    expect(await remove.json()).toMatchObject({
      error: { code: 'workflow_in_use', details: { triggers: expect.arrayContaining([trigger.body.id]) } },
    });
  });

  it('applies the overlap policy and the rate limit exactly as for assistant targets', async () => {
    const trigger = await createTrigger({ workflow_id: workflowId, rate_limit: { max: 1, per_s: 3600 } });
    expect(trigger.status).toBe(201);
    const first = await deliver(trigger.body.url, randomUUID());
    expect(first.status).toBe(202);
    const second = await deliver(trigger.body.url, randomUUID());
    expect(second.status).toBe(429);
    expect(second.body.error?.code).toBe('rate_limited');

    // skip: a delivery while the workflow's run is running is recorded as a skipped run.
    const echo = (request: { body: { input: unknown } }) => ({
      kind: 'ok' as const,
      output: { got: request.body.input },
    });
    h.agent.behave((request) =>
      (request.body.input as { marker?: string } | null)?.marker === 'wf-overlap' ? { kind: 'hang' } : echo(request),
    );
    try {
      const skipping = await createTrigger({
        workflow_id: workflowId,
        overlap: 'skip',
        input_template: { marker: 'wf-overlap' },
      });
      const running = await deliver(skipping.body.url, randomUUID());
      expect(running.status).toBe(202);
      await waitFor(
        () =>
          h.agent.requests.some(
            (request) => (request.body.input as { marker?: string } | null)?.marker === 'wf-overlap',
          ),
        {
          message: "the workflow's first step reached the agent",
        },
      );
      const skipped = await deliver(`${skipping.body.url}?wait=20`, randomUUID());
      expect(skipped.status).toBe(200);
      expect(skipped.body.run).toMatchObject({
        status: 'skipped',
        workflow_id: workflowId,
        error: 'skipped: the trigger already runs its maximum of concurrent runs (overlap policy)',
      });
      expect((await h.call('POST', `/api/v1/runs/${running.body.run_id}/cancel`)).status).toBe(200);
    } finally {
      h.agent.behave(echo);
    }
  });

  it('refuses unknown and inactive workflows when saved, and checks again on each delivery', async () => {
    const unknown = await createTrigger({ workflow_id: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^workflow_id: no workflow/),
    });
    expect((await createTrigger({ workflow_id: 'not-a-uuid' })).body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^workflow_id: /),
    });
    expect((await createTrigger({ workflow_id: workflowId, assistant_id: h.assistantId })).status).toBe(422);

    const inactive = await h.call('POST', '/api/v1/workflows', {
      body: {
        name: `idle-${kind}`,
        status: 'inactive',
        steps: [{ type: 'step', name: 'a', assistant_id: h.assistantId }],
      },
    });
    const inactiveId = ((await inactive.json()) as { id: string }).id;
    const refused = await createTrigger({ workflow_id: inactiveId });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'workflow_inactive' });

    // Deactivated after the trigger was made: the delivery is 409 trigger_unavailable and creates no run.
    const later = await h.call('POST', '/api/v1/workflows', {
      body: { name: `later-${kind}`, steps: [{ type: 'step', name: 'a', assistant_id: h.assistantId }] },
    });
    const laterId = ((await later.json()) as { id: string }).id;
    const trigger = await createTrigger({ workflow_id: laterId });
    expect(trigger.status).toBe(201);
    expect((await h.call('PATCH', `/api/v1/workflows/${laterId}`, { body: { status: 'inactive' } })).status).toBe(200);
    const answer = await deliver(trigger.body.url, randomUUID());
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({
      code: 'trigger_unavailable',
      message: expect.stringContaining('inactive'),
    });
    const runs = await h.test.db.query('SELECT 1 FROM runs WHERE trigger_id = $1', [trigger.body.id]);
    expect(runs.rows).toHaveLength(0);
  });
});
