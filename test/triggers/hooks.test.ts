import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { signStripe } from '../../src/triggers/stripe-signature.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createTriggerHarness, type TriggerHarness } from './harness.ts';

const githubSecret = 'gh-secret-value-0d1a26e6';
const stripeSecret = 'whsec_stripe-secret-value';
const bearerToken = 'bearer-token-value-7fd1a60b';
process.env.TEST_GITHUB_HOOK_SECRET = githubSecret;
process.env.TEST_STRIPE_HOOK_SECRET = stripeSecret;
process.env.TEST_HOOK_TOKEN = bearerToken;

const pushPayload = readFileSync(new URL('../fixtures/github-push.json', import.meta.url));

interface TriggerBody {
  id: string;
  url: string;
  auth: Record<string, unknown>;
  deliveries: Record<string, number>;
}
interface HookBody {
  delivery_id: string;
  run_id: string | null;
  replayed: boolean;
  first_delivery_id?: string | null;
  run: {
    id: string;
    status: string;
    trigger: string;
    input: unknown;
    output: unknown;
    metadata: Record<string, unknown>;
  } | null;
  error?: { code: string; message: string };
}

describe.each(databaseKinds)('inbound triggers (%s)', (kind) => {
  let h: TriggerHarness;
  let counter = 0;

  beforeAll(async () => {
    h = await createTriggerHarness(kind, { KAIROS_MAX_BODY_BYTES: '8192' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function createTrigger(body: Record<string, unknown>): Promise<TriggerBody> {
    const response = await h.call('POST', '/api/v1/triggers', {
      body: { name: `trigger-${++counter}`, assistant_id: h.assistantId, ...body },
    });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    return JSON.parse(text) as TriggerBody;
  }
  const github = (extra: Record<string, unknown> = {}) =>
    createTrigger({
      auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'TEST_GITHUB_HOOK_SECRET' } },
      ...extra,
    });

  async function deliver(
    url: string,
    body: Buffer | string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: HookBody; headers: Headers }> {
    const response = await h.call('POST', url, { body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: response.status, body: (await response.json()) as HookBody, headers: response.headers };
  }
  const runsOf = async (triggerId: string) =>
    (await h.test.db.query<{ id: string }>('SELECT id FROM runs WHERE trigger_id = $1', [triggerId])).rows.map(
      (row) => row.id,
    );
  const deliveriesOf = async (triggerId: string) => {
    const response = await h.call('GET', `/api/v1/triggers/${triggerId}/deliveries`);
    expect(response.status).toBe(200);
    return (
      (await response.json()) as {
        data: Array<{ outcome: string; http_status: number; reason: string | null; run_id: string | null }>;
      }
    ).data;
  };

  it('creates a trigger with its URL; the secret is an env reference, never a value', async () => {
    const trigger = await github();
    expect(trigger.url).toBe(`/hooks/${trigger.id}`);
    expect(trigger.auth).toEqual({
      type: 'hmac-sha256',
      header: 'x-hub-signature-256',
      secret: { env: 'TEST_GITHUB_HOOK_SECRET' },
      format: 'github',
    });
    expect(trigger.deliveries).toEqual({ total: 0 });
    const listed = await (await h.call('GET', '/api/v1/triggers')).text();
    expect(listed).toContain(trigger.id);
    expect(listed).not.toContain(githubSecret);
  });

  it('turns a signed GitHub push into an event run whose input is rendered from the payload (?wait answers with the output)', async () => {
    const trigger = await github({
      input_template: {
        text: '{{event.headers.x-github-event}} to {{event.body.repository.full_name}} ({{event.body.ref}}) by {{event.body.pusher.name}}',
        head: '{{event.body.head_commit.id}}',
        messages: '{{event.body.commits}}',
        delivery: '{{event.headers.x-github-delivery}}',
        received_at: '{{event.received_at}}',
        source: '{{event.query.source}}',
      },
    });
    const delivery = randomUUID();
    const answer = await deliver(`${trigger.url}?wait=30&source=github`, pushPayload, {
      'x-hub-signature-256': signGithub(githubSecret, pushPayload),
      'x-github-event': 'push',
      'x-github-delivery': delivery,
      'user-agent': 'GitHub-Hookshot/044aadd',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.replayed).toBe(false);
    expect(answer.body.run).toMatchObject({
      id: answer.body.run_id,
      status: 'success',
      trigger: 'event',
      output: { ok: true, run_id: answer.body.run_id },
    });
    expect(answer.body.run!.metadata).toMatchObject({
      trigger_id: trigger.id,
      delivery_id: answer.body.delivery_id,
      delivery_key: delivery,
    });

    const sample = JSON.parse(pushPayload.toString()) as { commits: unknown[] };
    const received = h.agent.requests.find((request) => request.body.run_id === answer.body.run_id)!;
    expect(received.body.trigger).toBe('event');
    expect(received.body.input).toEqual({
      text: 'push to octocat/Hello-World (refs/heads/main) by octocat',
      head: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      messages: sample.commits,
      delivery,
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      source: 'github',
    });
    expect(received.headers['idempotency-key']).toBe(answer.body.run_id);

    // The same delivery id again: the first delivery's run, not a second run.
    const replay = await deliver(trigger.url, pushPayload, {
      'x-hub-signature-256': signGithub(githubSecret, pushPayload),
      'x-github-delivery': delivery,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      replayed: true,
      run_id: answer.body.run_id,
      first_delivery_id: answer.body.delivery_id,
    });
    expect(await runsOf(trigger.id)).toEqual([answer.body.run_id]);
    const history = await deliveriesOf(trigger.id);
    expect(history.map((d) => [d.outcome, d.http_status, d.run_id])).toEqual([
      ['replayed', 200, answer.body.run_id],
      ['accepted', 202, answer.body.run_id],
    ]);
    const shown = (await (await h.call('GET', `/api/v1/triggers/${trigger.id}`)).json()) as TriggerBody;
    expect(shown.deliveries).toEqual({ accepted: 1, replayed: 1, total: 2 });
  });

  it('refuses a missing or wrong GitHub signature with 401, records why, and creates no run', async () => {
    const trigger = await github();
    const missing = await deliver(trigger.url, pushPayload, { 'x-github-delivery': randomUUID() });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toEqual({
      code: 'unauthorized',
      message: 'x-hub-signature-256: the signature header is missing',
    });
    const wrong = await deliver(trigger.url, pushPayload, {
      'x-hub-signature-256': signGithub('not-the-secret', pushPayload),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toBe('x-hub-signature-256: the signature does not match the body');
    const tampered = await deliver(trigger.url, Buffer.concat([pushPayload, Buffer.from(' ')]), {
      'x-hub-signature-256': signGithub(githubSecret, pushPayload),
    });
    expect(tampered.status).toBe(401);
    expect(await runsOf(trigger.id)).toEqual([]);
    const history = await deliveriesOf(trigger.id);
    expect(history.map((d) => [d.outcome, d.http_status, d.run_id])).toEqual([
      ['unauthorized', 401, null],
      ['unauthorized', 401, null],
      ['unauthorized', 401, null],
    ]);
    expect(history.map((d) => d.reason)).toContain('x-hub-signature-256: the signature header is missing');
    expect(JSON.stringify(history)).not.toContain(githubSecret);
  });

  it('checks Stripe-style signatures: valid, wrong, stale timestamp, missing', async () => {
    const trigger = await createTrigger({
      auth: { type: 'hmac-sha256', header: 'Stripe-Signature', secret: { env: 'TEST_STRIPE_HOOK_SECRET' } },
      input_template: { event: '{{event.body.type}}', invoice: '{{event.body.data.object.id}}' },
    });
    expect(trigger.auth).toMatchObject({ format: 'stripe', tolerance_s: 300 });
    const event = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: { id: 'in_42' } } }));
    const valid = await deliver(trigger.url, event, {
      'stripe-signature': signStripe(stripeSecret, event, Date.now()),
    });
    expect(valid.status).toBe(202);
    expect(valid.body.run).toMatchObject({ trigger: 'event', input: { event: 'invoice.paid', invoice: 'in_42' } });

    const wrong = await deliver(trigger.url, event, {
      'stripe-signature': signStripe('whsec_other', event, Date.now()),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toBe('stripe-signature: no v1 signature matches the body');
    const stale = await deliver(trigger.url, event, {
      'stripe-signature': signStripe(stripeSecret, event, Date.now() - 10 * 60_000),
    });
    expect(stale.status).toBe(401);
    expect(stale.body.error?.message).toMatch(
      /^stripe-signature: the signature timestamp is 6\d\d s away from now \(tolerance 300 s\)$/,
    );
    const missing = await deliver(trigger.url, event, {});
    expect(missing.status).toBe(401);
    expect(missing.body.error?.message).toBe('stripe-signature: the signature header is missing');
    expect(await runsOf(trigger.id)).toEqual([valid.body.run_id]);
    expect((await deliveriesOf(trigger.id)).map((d) => d.outcome)).toEqual([
      'unauthorized',
      'unauthorized',
      'unauthorized',
      'accepted',
    ]);
  });

  it('limits the rate per trigger: 429 with Retry-After, counted in the history', async () => {
    const trigger = await createTrigger({
      auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } },
      rate_limit: { max: 2, per_s: 3600 },
    });
    const auth = { authorization: `Bearer ${bearerToken}` };
    expect((await deliver(trigger.url, '{"n":1}', auth)).status).toBe(202);
    expect((await deliver(trigger.url, '{"n":2}', auth)).status).toBe(202);
    const limited = await deliver(trigger.url, '{"n":3}', auth);
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // A wrong token is refused before the limit and does not use it up.
    expect((await deliver(trigger.url, '{}', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await runsOf(trigger.id)).length).toBe(2);
    expect((await deliveriesOf(trigger.id)).map((d) => d.outcome)).toEqual([
      'unauthorized',
      'rate_limited',
      'accepted',
      'accepted',
    ]);
    // A new limit opens a fresh window.
    expect(
      (await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, { body: { rate_limit: { max: 3, per_s: 60 } } })).status,
    ).toBe(200);
    expect((await deliver(trigger.url, '{"n":4}', auth)).status).toBe(202);
  });

  it('makes one run of concurrent twins with one delivery id, and holds the rate limit under concurrent deliveries', async () => {
    const trigger = await createTrigger({
      auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } },
      rate_limit: { max: 3, per_s: 3600 },
    });
    const auth = { authorization: `Bearer ${bearerToken}` };
    const twins = await Promise.all(
      [1, 2, 3].map(() => deliver(trigger.url, '{"twin":true}', { ...auth, 'idempotency-key': 'twin-1' })),
    );
    const accepted = twins.filter((answer) => answer.status === 202);
    expect(accepted).toHaveLength(1);
    expect(
      twins.filter((answer) => answer.status === 200 && answer.body.replayed).map((answer) => answer.body.run_id),
    ).toEqual([accepted[0]!.body.run_id, accepted[0]!.body.run_id]);
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => deliver(trigger.url, JSON.stringify({ i }), auth)),
    );
    expect(burst.filter((answer) => answer.status === 202)).toHaveLength(2);
    expect(burst.filter((answer) => answer.status === 429)).toHaveLength(6);
    expect(await runsOf(trigger.id)).toHaveLength(3);
  });

  it('refuses a payload over KAIROS_MAX_BODY_BYTES with 413 and records it', async () => {
    const trigger = await createTrigger({ auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } } });
    const big = JSON.stringify({ blob: 'x'.repeat(10_000) });
    const answer = await deliver(trigger.url, big, { authorization: `Bearer ${bearerToken}` });
    expect(answer.status).toBe(413);
    expect(answer.body.error?.code).toBe('body_too_large');
    const announced = await deliver(trigger.url, big, {
      authorization: `Bearer ${bearerToken}`,
      'content-length': String(big.length),
    });
    expect(announced.status).toBe(413);
    expect(await runsOf(trigger.id)).toEqual([]);
    const history = await deliveriesOf(trigger.id);
    expect(history.map((d) => [d.outcome, d.http_status])).toEqual([
      ['too_large', 413],
      ['too_large', 413],
    ]);
    expect(history[0]!.reason).toContain('exceeds 8192 bytes (KAIROS_MAX_BODY_BYTES)');
  });

  it('answers 404 for a disabled trigger (recorded) and for an unknown one', async () => {
    const trigger = await createTrigger({
      auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } },
      enabled: false,
    });
    const answer = await deliver(trigger.url, '{}', { authorization: `Bearer ${bearerToken}` });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('not_found');
    expect(await runsOf(trigger.id)).toEqual([]);
    expect((await deliveriesOf(trigger.id)).map((d) => [d.outcome, d.http_status])).toEqual([['disabled', 404]]);
    expect((await deliver(`/hooks/${randomUUID()}`, '{}', {})).status).toBe(404);
    expect((await deliver('/hooks/not-a-uuid', '{}', {})).status).toBe(404);
    // Enabled again, it accepts.
    await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, { body: { enabled: true } });
    expect((await deliver(trigger.url, '{}', { authorization: `Bearer ${bearerToken}` })).status).toBe(202);
  });

  it('applies the overlap policy per trigger: with skip, a delivery while one runs is recorded skipped', async () => {
    const trigger = await createTrigger({
      auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } },
      overlap: 'skip',
      max_concurrent: 1,
    });
    // Only this test's first run hangs (runs of earlier tests may still be arriving).
    h.agent.behave((request) =>
      (request.body.input as { marker?: string } | null)?.marker === 'overlap-first'
        ? { kind: 'hang' }
        : { kind: 'ok' },
    );
    try {
      const first = await deliver(trigger.url, '{"marker":"overlap-first"}', {
        authorization: `Bearer ${bearerToken}`,
      });
      expect(first.status).toBe(202);
      await waitFor(() => h.agent.requests.some((request) => request.body.run_id === first.body.run_id), {
        message: 'the first run reached the agent',
      });
      const second = await deliver(`${trigger.url}?wait=20`, '{"n":2}', { authorization: `Bearer ${bearerToken}` });
      expect(second.status).toBe(200);
      expect(second.body.run).toMatchObject({ status: 'skipped' });
      expect((second.body.run as unknown as { error: string }).error).toBe(
        'skipped: the trigger already runs its maximum of concurrent runs (overlap policy)',
      );
      const cancel = await h.call('POST', `/api/v1/runs/${first.body.run_id}/cancel`);
      expect(cancel.status).toBe(200);
    } finally {
      h.agent.behave(() => ({ kind: 'ok' }));
    }
  });

  it('refuses bad trigger definitions with 422 naming the field, and changes nothing', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const response = await h.call('POST', '/api/v1/triggers', {
        body: {
          name: `bad-${++counter}`,
          assistant_id: h.assistantId,
          auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } },
          ...body,
        },
      });
      return {
        status: response.status,
        error: ((await response.json()) as { error: { code: string; message: string } }).error,
      };
    };
    expect(await bad({ input_template: { a: 'Summary for {{date}}' } })).toMatchObject({
      status: 422,
      error: { code: 'invalid_request', message: expect.stringMatching(/^input_template\.a: \{\{date\}\} is unknown/) },
    });
    expect(await bad({ input_template: '{{event.headers.X-GitHub-Event}}' })).toMatchObject({
      status: 422,
      error: { message: expect.stringContaining('use event.headers.x-github-event') },
    });
    expect(await bad({ auth: { type: 'hmac-sha256', secret: 'literal-secret' } })).toMatchObject({
      status: 422,
      error: {
        message:
          'auth.secret: secrets are never stored: give the name of an environment variable of the server, {"env": "NAME"}',
      },
    });
    expect(await bad({ auth: undefined })).toMatchObject({
      status: 422,
      error: { message: expect.stringMatching(/^auth: /) },
    });
    expect(await bad({ auth: { type: 'basic' } })).toMatchObject({
      status: 422,
      error: { message: expect.stringMatching(/^auth: must be/) },
    });
    expect(await bad({ assistant_id: undefined })).toMatchObject({
      status: 422,
      error: { message: expect.stringContaining('exactly one of assistant_id and workflow_id') },
    });
    expect(await bad({ workflow_id: randomUUID(), assistant_id: undefined })).toMatchObject({
      status: 404,
      error: { code: 'not_found', message: expect.stringMatching(/^workflow_id: /) },
    });
    expect(await bad({ assistant_id: randomUUID() })).toMatchObject({ status: 404, error: { code: 'not_found' } });
    expect(await bad({ colour: 'blue' })).toMatchObject({
      status: 422,
      error: { message: expect.stringContaining('unknown field "colour"') },
    });
    expect(await bad({ overlap: 'sometimes' })).toMatchObject({
      status: 422,
      error: { message: expect.stringMatching(/^overlap: /) },
    });
    const { rows } = await h.test.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM triggers WHERE name LIKE 'bad-%'",
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('updates and deletes a trigger (its runs stay)', async () => {
    const trigger = await createTrigger({ auth: { type: 'bearer', token: { env: 'TEST_HOOK_TOKEN' } } });
    const accepted = await deliver(trigger.url, '{"x":1}', { authorization: `Bearer ${bearerToken}` });
    expect(accepted.status).toBe(202);
    const renamed = await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, {
      body: { name: 'renamed', input_template: { x: '{{event.body.x}}' } },
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({
      name: 'renamed',
      input_template: { x: '{{event.body.x}}' },
      version: 2,
    });
    expect(
      (await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, { body: { input_template: '{{nope}}' } })).status,
    ).toBe(422);
    expect((await h.call('DELETE', `/api/v1/triggers/${trigger.id}`)).status).toBe(204);
    expect((await h.call('GET', `/api/v1/triggers/${trigger.id}`)).status).toBe(404);
    expect((await deliver(trigger.url, '{}', { authorization: `Bearer ${bearerToken}` })).status).toBe(404);
    expect((await h.call('GET', `/api/v1/runs/${accepted.body.run_id}`)).status).toBe(200);
  });
});
