import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KairosError } from '../../src/errors.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe('API errors', () => {
  let h: ApiHarness;
  let admin: Caller;
  beforeAll(async () => {
    h = await createApiHarness('pglite', { KAIROS_MAX_BODY_BYTES: '2048' });
    // Routes that fail on purpose, added before the router is built.
    h.app.get('/api/v1/test/boom', () => {
      throw new Error('secret internal detail at /srv/kairos');
    });
    h.app.get('/api/v1/test/kairos-error', () => {
      throw new KairosError('schedule_cap', 'you own 100 schedules, the cap (KAIROS_MAX_SCHEDULES_PER_USER)', {
        status: 429,
        details: { cap: 100 },
      });
    });
    admin = await h.caller('admin');
  });
  afterAll(() => h.close());

  it('answers unknown routes with 404 not_found', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['POST', '/api/v2/users'],
      ['PUT', '/healthz'],
    ] as const) {
      const response = await h.call(method, path, { key: admin.key });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    for (const body of ['{', '{"name": }', 'nul', '{"name":"a"}}']) {
      const response = await h.call('POST', '/api/v1/users', { key: admin.key, body });
      expect(response.status, body).toBe(400);
      expect((await errorOf(response)).code).toBe('invalid_json');
    }
  });

  it('answers invalid input with 422 invalid_request naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'ok', role: 'root' }, 'role'],
      [{ name: 'has space' }, 'name'],
      [{ name: 'ok', extra: true }, 'extra'],
      [[], ''],
      ['"just a string"', ''],
    ];
    for (const [body, field] of cases) {
      const response = await h.call('POST', '/api/v1/users', { key: admin.key, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect((error.details as { field: string }).field).toBe(field);
      if (field) expect(error.message.startsWith(`${field}: `)).toBe(true);
    }
    const query = await h.call('GET', '/api/v1/users?limit=0', { key: admin.key });
    expect(query.status).toBe(422);
    expect(await errorOf(query)).toMatchObject({ details: { location: 'query', field: 'limit' } });
    const param = await h.call('GET', '/api/v1/users/not-an-id', { key: admin.key });
    expect(param.status).toBe(422);
    expect(await errorOf(param)).toMatchObject({ details: { location: 'path', field: 'id' } });
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const response = await h.call('POST', '/api/v1/users', {
      key: admin.key,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).code).toBe('unsupported_media_type');
  });

  it('answers bodies over KAIROS_MAX_BODY_BYTES with 413, by content-length or streamed', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(3000) });
    const declared = await h.call('POST', '/api/v1/users', { key: admin.key, body: big });
    expect(declared.status).toBe(413);
    expect(await errorOf(declared)).toMatchObject({ code: 'body_too_large', details: { max_bytes: 2048 } });

    const chunks = [
      new TextEncoder().encode('{"name":"'),
      new TextEncoder().encode('y'.repeat(4000)),
      new TextEncoder().encode('"}'),
    ];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const request = new Request('http://localhost/api/v1/users', {
      method: 'POST',
      body: stream,
      headers: {
        authorization: `Bearer ${admin.key}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      duplex: 'half',
    } as RequestInit);
    const streamed = await h.app.request(request);
    expect(streamed.status).toBe(413);
    expect((await errorOf(streamed)).code).toBe('body_too_large');
    const users = (await (await h.call('GET', '/api/v1/users?limit=1000', { key: admin.key })).json()) as {
      total: number;
    };
    expect(users.total).toBe(2); // local and admin: nothing was created
  });

  it('passes KairosError status and details through', async () => {
    const response = await h.call('GET', '/api/v1/test/kairos-error', { key: admin.key });
    expect(response.status).toBe(429);
    expect(await errorOf(response)).toEqual({
      code: 'schedule_cap',
      message: 'you own 100 schedules, the cap (KAIROS_MAX_SCHEDULES_PER_USER)',
      details: { cap: 100 },
    });
  });

  it('answers unexpected errors with 500 internal without leaking them', async () => {
    const response = await h.call('GET', '/api/v1/test/boom', { key: admin.key });
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('/srv');
    expect((await errorOf(response)).code).toBe('internal');
  });
});
