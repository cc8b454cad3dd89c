import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCallResult } from '../../src/agents/assistant-test-call.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

const token = 'tc-secret-7f3a9';

describe('test calls: POST /api/v1/assistants/test and /api/v1/assistants/{id}/test', () => {
  let h: ApiHarness;
  let agent: HttpAgentServer;
  let alice: Caller;
  let bob: Caller;
  let viewer: Caller;

  const counts = async () => {
    const { rows } = await h.db.query<{ assistants: number; runs: number; schedules: number; threads: number }>(
      `SELECT (SELECT count(*)::int FROM assistants) AS assistants, (SELECT count(*)::int FROM runs) AS runs,
              (SELECT count(*)::int FROM schedules) AS schedules, (SELECT count(*)::int FROM threads) AS threads`,
    );
    return rows[0]!;
  };

  beforeAll(async () => {
    process.env.TEST_CALL_TOKEN = token;
    agent = await startHttpAgentServer((request) => {
      if ((request.body as { fail?: boolean } | null)?.fail) return { status: 503, body: { error: 'overloaded' } };
      return { body: { reply: 'pong', got: request.body }, headers: { 'set-cookie': 'session=abc' } };
    });
    h = await createApiHarness('pglite', { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    alice = await h.caller('member', 'alice');
    bob = await h.caller('member', 'bob');
    viewer = await h.caller('viewer', 'vera');
  });
  afterAll(async () => {
    delete process.env.TEST_CALL_TOKEN;
    await h.close();
    await agent.close();
  });

  const draft = {
    kind: 'http',
    config: {
      url: `${'' /* filled in below */}`,
      headers: { Authorization: { env: 'TEST_CALL_TOKEN' }, 'X-Team': 'ops' },
      body: { ping: '{{input.word}}', fail: '{{input.fail}}' },
      output: '/reply',
    },
  };
  const draftFor = (input: unknown) => ({ ...draft, config: { ...draft.config, url: `${agent.url}/hook` }, input });

  it('runs a draft once and shows the raw request and answer, secrets redacted, storing nothing', async () => {
    const before = await counts();
    const response = await h.call('POST', '/api/v1/assistants/test', {
      key: alice.key,
      body: draftFor({ word: 'ping' }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(token);
    const result = JSON.parse(text) as TestCallResult;
    expect(result).toMatchObject({ ok: true, output: 'pong', error: null });
    expect(result.exchanges).toHaveLength(1);
    const [exchange] = result.exchanges;
    expect(exchange!.request).toMatchObject({ method: 'POST', url: `${agent.url}/hook` });
    expect(exchange!.request.headers.authorization).toBe('[redacted]');
    expect(exchange!.request.headers['x-team']).toBe('ops');
    expect(JSON.parse(exchange!.request.body)).toEqual({ ping: 'ping', fail: null });
    expect(exchange!.response!.status).toBe(200);
    expect(exchange!.response!.headers['set-cookie']).toBe('[redacted]');
    expect(JSON.parse(exchange!.response!.body)).toEqual({ reply: 'pong', got: { ping: 'ping', fail: null } });
    // The agent really got the secret; the caller only saw it redacted.
    expect(agent.requests.at(-1)!.headers.authorization).toBe(token);
    expect(await counts()).toEqual(before);
  });

  it('a failing call is 200 with ok=false, the reason and the answer', async () => {
    const response = await h.call('POST', '/api/v1/assistants/test', {
      key: alice.key,
      body: draftFor({ fail: true }),
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as TestCallResult;
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ kind: 'assistant_error' });
    expect(result.error!.message).toContain('503');
    expect(result.exchanges[0]!.response!.status).toBe(503);
  });

  it('a draft is checked as at save time: a bad template variable is a 422 naming it', async () => {
    const before = await counts();
    const body = draftFor({});
    body.config = { ...body.config, body: { ping: '{{inptu.word}}' } } as typeof body.config;
    const response = await h.call('POST', '/api/v1/assistants/test', { key: alice.key, body });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('{{inptu.word}}');
    expect((error.details as { field: string }).field).toBe('config.body.ping');
    expect(agent.requests.some((request) => JSON.stringify(request.body).includes('inptu'))).toBe(false);
    expect(await counts()).toEqual(before);
  });

  it('a saved assistant can be test-called by its owner only; no run is created', async () => {
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'alice-hook', kind: 'http', config: { url: `${agent.url}/hook`, output: '/got' } },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const before = await counts();
    const own = await h.call('POST', `/api/v1/assistants/${id}/test`, { key: alice.key, body: { input: { n: 1 } } });
    expect(own.status).toBe(200);
    const result = (await own.json()) as TestCallResult;
    expect(result.ok).toBe(true);
    expect(result.output).toMatchObject({ input: { n: 1 }, trigger: 'manual', thread_id: null });
    expect(await counts()).toEqual(before);

    const other = await h.call('POST', `/api/v1/assistants/${id}/test`, { key: bob.key, body: {} });
    expect(other.status).toBe(404);
    const readOnly = await h.call('POST', `/api/v1/assistants/${id}/test`, { key: viewer.key, body: {} });
    expect(readOnly.status).toBe(403);
    const draftByViewer = await h.call('POST', '/api/v1/assistants/test', { key: viewer.key, body: draftFor({}) });
    expect(draftByViewer.status).toBe(403);
  });

  it('refuses unknown body fields with a clear 422', async () => {
    const response = await h.call('POST', '/api/v1/assistants/test', {
      key: alice.key,
      body: { ...draftFor({}), schedule: '* * * * *' },
    });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toContain('schedule');
  });
});
