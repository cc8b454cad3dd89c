import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/sdk/client.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from '../api/harness.ts';

/** Saving a precheck (validated: CEL, timeout, address guard) and "Test now", over the API and the SDK. */
describe('precheck API (postgres)', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown } = { status: 200, body: { count: 3 } };

  beforeAll(async () => {
    // Keys exist, so no local mode: loopback is allowed only because it is listed.
    h = await createApiHarness('postgres', { KAIROS_HTTP_ALLOW_HOSTS: '127.0.0.1' }, { services: true });
    alice = await h.caller('member');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await created.json()) as { id: string }).id;
    server = createServer((request, response) => {
      request.resume();
      response.writeHead(answer.status, { 'content-type': 'application/json', 'x-etag': 'abc' });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  const scheduleBody = (precheck: unknown, extra: Record<string, unknown> = {}) => ({
    assistant_id: assistantId,
    schedule: { cron: '0 9 * * *' },
    precheck,
    ...extra,
  });

  it('refuses a precheck that cannot run (422 naming the field) and saves nothing', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ condition: 'response.status ==' }, 'invalid_precheck', 'precheck.condition'],
      [{ condition: 'nonsense_variable > 1' }, 'invalid_precheck', 'precheck.condition'],
      [{ condition: '"yes"' }, 'invalid_precheck', 'precheck.condition'],
      [{ condition: 'true', timeout: 'soon' }, 'invalid_precheck', 'precheck.timeout'],
      [{ condition: 'true', timeout: '2m' }, 'invalid_precheck', 'precheck.timeout'],
      [{ http: { url: 'http://10.1.2.3/x' }, condition: 'true' }, 'invalid_precheck', 'precheck.http.url'],
      [{ http: { url: 'http://169.254.169.254/latest' }, condition: 'true' }, 'invalid_precheck', 'precheck.http.url'],
      [{ http: { url: 'ftp://example.com/x' }, condition: 'true' }, 'invalid_request', 'precheck.http.url'],
      [{ condition: 'true', on_error: 'maybe' }, 'invalid_request', 'precheck.on_error'],
      [{ condition: 'true', extra: 1 }, 'invalid_request', 'precheck'],
    ];
    for (const [precheck, code, field] of cases) {
      const response = await h.call('POST', '/api/v1/schedules', { key: alice.key, body: scheduleBody(precheck) });
      expect(response.status, JSON.stringify(precheck)).toBe(422);
      const error = await errorOf(response);
      expect(error.code, JSON.stringify(precheck)).toBe(code);
      expect(error.message, JSON.stringify(precheck)).toContain(field);
    }
    const list = (await (await h.call('GET', '/api/v1/schedules', { key: alice.key })).json()) as { total: number };
    expect(list.total).toBe(0);
    // The by-name upsert (and so the config file's declarations) checks the same way.
    const applied = await h.call('PUT', '/api/v1/schedules/by-name/nightly', {
      key: alice.key,
      body: scheduleBody({ http: { url: 'http://10.1.2.3/' }, condition: 'true' }),
    });
    expect(applied.status).toBe(422);
    expect((await errorOf(applied)).code).toBe('invalid_precheck');
  });

  it('saves a valid precheck, shows it, refuses a bad update and clears it with null', async () => {
    const precheck = {
      http: { url, headers: { authorization: { env: 'INBOX_TOKEN' } } },
      condition: 'response.body.count > 0',
      timeout: '2s',
      on_error: 'skip',
    };
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: scheduleBody(precheck, { name: 'inbox', alert_on_skips: 3 }),
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as {
      id: string;
      precheck: unknown;
      alert_on_skips: number;
      version: number;
    };
    expect(schedule).toMatchObject({ precheck, alert_on_skips: 3 });
    const bad = await h.call('PATCH', `/api/v1/schedules/${schedule.id}`, {
      key: alice.key,
      body: { precheck: { condition: 'response.' } },
    });
    expect(bad.status).toBe(422);
    const unchanged = (await (await h.call('GET', `/api/v1/schedules/${schedule.id}`, { key: alice.key })).json()) as {
      precheck: unknown;
      version: number;
    };
    expect(unchanged).toMatchObject({ precheck, version: schedule.version });
    const cleared = await h.call('PATCH', `/api/v1/schedules/${schedule.id}`, {
      key: alice.key,
      body: { precheck: null },
    });
    expect(((await cleared.json()) as { precheck: unknown }).precheck).toBeNull();
  });

  it('validates a trigger precheck on create and update', async () => {
    const body = {
      name: 'hook',
      assistant_id: assistantId,
      auth: { type: 'bearer', token: { env: 'PRECHECK_HOOK_TOKEN' } },
    };
    const refused = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: { ...body, precheck: { condition: 'event.body.x' } },
    });
    expect(refused.status).toBe(422);
    expect(await errorOf(refused)).toMatchObject({
      code: 'invalid_precheck',
      details: { field: 'precheck.condition' },
    });
    const created = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: { ...body, precheck: { http: { url }, condition: 'response.status == 200' } },
    });
    expect(created.status).toBe(201);
    const trigger = (await created.json()) as { id: string; precheck: { condition: string } };
    expect(trigger.precheck.condition).toBe('response.status == 200');
    const update = await h.call('PATCH', `/api/v1/triggers/${trigger.id}`, {
      key: alice.key,
      body: { precheck: { http: { url: 'http://192.168.1.1/' }, condition: 'true' } },
    });
    expect(update.status).toBe(422);
    expect((await errorOf(update)).details).toMatchObject({ field: 'precheck.http.url' });
  });

  it('"Test now" makes the request and shows the response and the verdict (API and SDK)', async () => {
    answer = { status: 200, body: { count: 3 } };
    const response = await h.call('POST', '/api/v1/prechecks/test', {
      key: alice.key,
      body: { precheck: { http: { url }, condition: 'response.body.count > input.min' }, input: { min: 1 } },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      verdict: true,
      decision: 'run',
      response: { status: 200, body: { count: 3 }, headers: { 'x-etag': 'abc' } },
      error: null,
    });

    const client = new Kairos({
      baseUrl: 'http://kairos.test',
      apiKey: alice.key,
      fetch: (input, init) => Promise.resolve(h.app.request(String(input), init)),
    });
    answer = { status: 200, body: { count: 0 } };
    const skip = await client.schedules.testPrecheck({
      precheck: { http: { url }, condition: 'response.body.count > 0' },
    });
    expect(skip).toMatchObject({ verdict: false, decision: 'skip', response: { body: { count: 0 } } });

    // A precheck that fails (nothing listens there) follows on_error.
    const failing = await client.schedules.testPrecheck({
      precheck: { http: { url: 'http://127.0.0.1:9/x' }, condition: 'true', on_error: 'skip' },
    });
    expect(failing).toMatchObject({ verdict: null, decision: 'skip', response: null, error: expect.any(String) });

    const refused = await h.call('POST', '/api/v1/prechecks/test', {
      key: alice.key,
      body: { precheck: { http: { url: 'http://10.0.0.8/' }, condition: 'true' } },
    });
    expect(refused.status).toBe(422);
    expect(await errorOf(refused)).toMatchObject({ code: 'invalid_precheck', details: { field: 'precheck.http.url' } });
  });
});
