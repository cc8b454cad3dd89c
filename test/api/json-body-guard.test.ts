import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxBodyDepth } from '../../src/api/json-body-guard.ts';
import { jsonDepth, unstorableValue } from '../../src/store/storable-json.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

describe('jsonDepth', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[[", "b": [1]}')).toBe(2);
    expect(jsonDepth(`${'['.repeat(1000)}${']'.repeat(1000)}`, 64)).toBe(65);
  });
});

describe('unstorableValue', () => {
  it('names the first key or text that could not be stored as sent', () => {
    expect(unstorableValue({ a: [1, 'x', { b: 'ok 💥 ünï' }] })).toBeUndefined();
    expect(unstorableValue(JSON.parse('{"metadata":{"__proto__":{"x":1}}}'))?.field).toBe('metadata.__proto__');
    expect(unstorableValue({ name: 'a\u0000b' })).toMatchObject({
      field: 'name',
      problem: expect.stringContaining('NUL'),
    });
    expect(unstorableValue({ list: ['ok', 'x\ud800'] })).toMatchObject({
      field: 'list[1]',
      problem: expect.stringContaining('lone surrogate'),
    });
    expect(unstorableValue({ 'k\u0000': 1 })?.field).toBe('k\u0000');
  });
});

describe.each(databaseKinds)('request bodies that cannot be stored as sent (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    alice = await h.caller('member');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => h.close());

  const count = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schedules')).rows[0]!.n;
  const createSchedule = (body: string) => h.call('POST', '/api/v1/schedules', { key: alice.key, body });
  const base = () => `"assistant_id":"${assistantId}","schedule":"0 9 * * *"`;

  // Each of these answered 500 before the guard: zod's recursion overflowed the stack, PostgreSQL refused the text.
  it('refuses a body nested deeper than the limit with 422 body_too_deep, storing nothing', async () => {
    const before = await count();
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const response = await createSchedule(`{${base()},"input_template":${deep}}`);
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({ code: 'body_too_deep', details: { max_depth: maxBodyDepth } });
    expect(await count()).toBe(before);
  });

  it('reads an empty JSON body on an action route as {} (pause, resume, trigger), not 400 invalid_json', async () => {
    const created = await createSchedule(`{${base()},"name":"empty-body"}`);
    const { id } = (await created.json()) as { id: string };
    for (const body of ['', '  \n']) {
      const paused = await h.call('POST', `/api/v1/schedules/${id}/pause`, {
        key: alice.key,
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(paused.status, await paused.clone().text()).toBe(200);
      expect(((await paused.json()) as { status: string }).status).toBe('paused');
      const resumed = await h.call('POST', `/api/v1/schedules/${id}/resume`, {
        key: alice.key,
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(resumed.status).toBe(200);
    }
    const triggered = await h.call('POST', `/api/v1/schedules/${id}/trigger`, {
      key: alice.key,
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(triggered.status).toBe(201);
    // Still malformed when there is something that is not JSON.
    const malformed = await h.call('POST', `/api/v1/schedules/${id}/pause`, {
      key: alice.key,
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('invalid_json');
  });

  it('accepts a body nested up to the limit', async () => {
    const depth = maxBodyDepth - 2;
    const response = await createSchedule(
      `{${base()},"name":"deep-ok","input_template":${'['.repeat(depth)}1${']'.repeat(depth)}}`,
    );
    expect(response.status).toBe(201);
  });

  it('refuses a __proto__ key (it would be dropped silently) naming where it is', async () => {
    const before = await count();
    const response = await createSchedule(`{${base()},"metadata":{"__proto__":{"admin":true},"team":"ops"}}`);
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({
      code: 'invalid_request',
      details: { field: 'metadata.__proto__' },
    });
    expect(await count()).toBe(before);
  });

  it('refuses NUL characters and lone surrogates, in values and in keys', async () => {
    const before = await count();
    for (const [body, field] of [
      [`{${base()},"name":"a\\u0000b"}`, 'name'],
      [`{${base()},"metadata":{"note":"x\\u0000"}}`, 'metadata.note'],
      [`{${base()},"input_template":{"k\\u0000":1}}`, 'input_template.k\u0000'],
      [`{${base()},"name":"half \\ud83d pair"}`, 'name'],
    ] as const) {
      const response = await createSchedule(body);
      expect(response.status, body).toBe(422);
      expect(await errorOf(response), body).toMatchObject({ code: 'invalid_request', details: { field } });
    }
    expect(await count()).toBe(before);
    const thread = await h.call('POST', '/api/v1/threads', { key: alice.key, body: '{"metadata":{"a":"\\u0000"}}' });
    expect(thread.status).toBe(422);
  });

  it('keeps answering 401 to a caller without a key, whatever the body', async () => {
    const response = await h.call('POST', '/api/v1/schedules', { body: `${'['.repeat(100)}${']'.repeat(100)}` });
    expect(response.status).toBe(401);
  });
});
