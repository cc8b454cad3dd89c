import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstorableRequestReason } from '../../src/triggers/event-request.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';

describe('unstorableRequestReason', () => {
  it.each([
    [{}, { q: 'a\u0000b' }, '"query.q": contains a NUL character'],
    [{}, { 'k\u0000': '1' }, '"query.k\\u0000": the key contains a NUL character'],
    [{}, { q: 'x\ud800' }, '"query.q": is not valid Unicode'],
    [{ 'x-a': '\u0000' }, {}, '"headers.x-a": contains a NUL character'],
    [{ 'x-b': '\udfff' }, {}, '"headers.x-b": is not valid Unicode'],
  ])('names the part: %j %j', (headers, query, reason) => {
    expect(unstorableRequestReason(headers, query)).toContain(reason);
  });

  it('lets ordinary text through, emoji pairs and Latin-1 header bytes included', () => {
    expect(unstorableRequestReason({ 'x-user': 'Ünï ÿ' }, { q: '💥 ü', empty: '' })).toBeUndefined();
  });
});

// Headers cannot carry NUL or surrogates on the wire (Node's parser refuses NUL; values are bytes),
// so the end-to-end cases are the query string's.
describe.each(databaseKinds)('a delivery whose query string cannot be stored (%s)', (kind) => {
  let h: ApiHarness;
  let hookId: string;
  beforeAll(async () => {
    process.env.HOOK_TOKEN = 'tok'; // deliveries read the secret from the process environment
    h = await createApiHarness(kind, {}, { services: true });
    const alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    const assistantId = ((await assistant.json()) as { id: string }).id;
    const trigger = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: {
        name: 'hook',
        assistant_id: assistantId,
        auth: { type: 'bearer', token: { env: 'HOOK_TOKEN' } },
        rate_limit: null,
        input_template: { q: '{{event.query.q}}', all: '{{event.query}}' },
      },
    });
    hookId = ((await trigger.json()) as { id: string }).id;
  });
  afterAll(async () => {
    delete process.env.HOOK_TOKEN;
    await h?.close();
  });

  const deliver = (query: string) =>
    h.app.request(`/hooks/${hookId}?${query}`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body: '{}',
    });
  const runs = async () => (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs')).rows[0]!.n;

  it.each([
    ['a NUL in a value', 'q=a%00b', '"query.q"'],
    ['a NUL in a name', 'a%00b=1', '"query.a\\u0000b"'],
  ])('refuses %s with 400 invalid_delivery, recorded, and runs nothing', async (_what, query, field) => {
    const before = await runs();
    const response = await deliver(query);
    const body = (await response.json()) as { error: { code: string; message: string }; delivery_id: string };
    expect(response.status).toBe(400);
    expect(body.error.code).toBe('invalid_delivery');
    expect(body.error.message).toContain(field);
    expect(body.error.message).toContain('NUL');
    expect(await runs()).toBe(before);
    const { rows } = await h.db.query<{ outcome: string; http_status: number; reason: string }>(
      'SELECT outcome, http_status, reason FROM trigger_deliveries WHERE id = $1',
      [body.delivery_id],
    );
    expect(rows).toEqual([{ outcome: 'invalid', http_status: 400, reason: body.error.message }]);
    expect(rows[0]!.reason).not.toContain('\u0000');
  });

  it('accepts undecodable percent-escapes (a surrogate as UTF-8) as the text written', async () => {
    const response = await deliver('q=%ED%A0%80&r=%C3%BC');
    expect(response.status).toBe(202);
    const { run_id: runId } = (await response.json()) as { run_id: string };
    const { rows } = await h.db.query<{ input: { q: string; all: Record<string, string> } }>(
      'SELECT input FROM runs WHERE id = $1',
      [runId],
    );
    expect(rows[0]!.input.q).toBe('%ED%A0%80');
    expect(rows[0]!.input.all).toEqual({ q: '%ED%A0%80', r: 'ü' });
  });
});
