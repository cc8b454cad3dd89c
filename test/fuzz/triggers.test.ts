import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileNumber, hostileString, hostileValue, jsonText, requestBody } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

interface Trigger {
  id: string;
  name: string;
  input_template: unknown;
  metadata: Record<string, unknown>;
}

/** Mostly the valid value, sometimes a wrong one: enough valid bodies get through to test the accepted side. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: wrong });

const env = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ env: 'HOOK_SECRET' }) },
  fc.constantFrom('plain', { env: '' }, { env: 'DATABASE_URL' }, { name: 'X' }),
);
const auth = fc.oneof(
  fc.record(
    {
      type: fc.constant('hmac-sha256'),
      header: fc.constantFrom('X-Hub-Signature-256', 'Stripe-Signature', 'x sig', ''),
      secret: env,
      format: fc.constantFrom('github', 'stripe', 'hex', 'base64'),
      tolerance_s: fc.oneof(fc.integer({ min: 1, max: 600 }), hostileNumber),
    },
    { requiredKeys: ['type', 'secret'] },
  ),
  fc.record({ type: fc.constant('bearer'), token: env }),
  fc.record({ type: fc.constantFrom('basic', 'none', ''), secret: env }),
);

describe('fuzz: trigger bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let target: Trigger;
  let counter = 0;
  const state = () => fingerprint(h.db, ['triggers', 'trigger_deliveries', 'runs'], ['triggers']);

  beforeAll(async () => {
    process.env.HOOK_SECRET = 's3cret'; // deliveries read the secret from the process environment
    h = await createApiHarness('postgres', { HOOK_SECRET: 's3cret' }, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const created = await h.call('POST', '/api/v1/triggers', {
      key: alice.key,
      body: { name: 'target', assistant_id: assistantId, auth: { type: 'bearer', token: { env: 'HOOK_SECRET' } } },
    });
    expect(created.status).toBe(201);
    target = (await created.json()) as Trigger;
  });
  afterAll(async () => {
    printSlowest('triggers');
    delete process.env.HOOK_SECRET;
    await h.close();
  });

  const fields = () => ({
    name: mostly(fc.constant(`t-${++counter}`), hostileString),
    assistant_id: fc.oneof({ weight: 4, arbitrary: fc.constant(assistantId) }, fc.constantFrom('', 'missing')),
    workflow_id: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid'),
    input_template: mostly(
      fc.constantFrom(null, '{{event.body}}', {
        pr: '{{event.body.number}}',
        who: '{{event.headers.x-user}}',
        at: '{{event.received_at}}',
      }),
      templateValue,
    ),
    auth: mostly(fc.constant({ type: 'bearer', token: { env: 'HOOK_SECRET' } }), auth),
    delivery_header: mostly(fc.constantFrom('X-Request-Id', null), fc.constantFrom('Bad Header', '')),
    overlap: mostly(fc.constantFrom('skip', 'queue', 'allow', 'cancel_previous'), fc.constant('never')),
    max_concurrent: mostly(fc.integer({ min: 1, max: 1000 }), hostileNumber),
    timeout: mostly(fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 600 })), hostileNumber),
    rate_limit: mostly(
      fc.oneof(
        fc.constant(null),
        fc.record({ max: fc.integer({ min: 1, max: 100 }), per_s: fc.integer({ min: 1, max: 100 }) }),
      ),
      fc.record({ max: fc.integer({ min: -1, max: 0 }), per_s: hostileNumber }),
    ),
    enabled: fc.boolean(),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  });

  async function checkStored(probe: Probe, trigger: Trigger): Promise<void> {
    expect(await readBack(h, alice.key, `/api/v1/triggers/${trigger.id}`)).toEqual(trigger);
    const sent = sentBody(probe) ?? {};
    if (typeof sent.name === 'string') expect(trigger.name).toBe(sent.name.trim());
    if (sent.input_template !== undefined) expect(trigger.input_template).toEqual(asStored(sent.input_template));
    if (sent.metadata !== undefined) expect(trigger.metadata).toEqual(asStored(sent.metadata));
    expect(JSON.stringify(trigger)).not.toContain('s3cret');
  }

  it(`POST /api/v1/triggers (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    let accepted = 0;
    const { workflow_id: _workflow, ...rest } = fields();
    await fc.assert(
      fc.asyncProperty(
        requestBody(fc.record(rest, { requiredKeys: ['name', 'assistant_id', 'auth'] })),
        async (body) => {
          const probe: Probe = { method: 'POST', path: '/api/v1/triggers', body, key: alice.key };
          const answer = await sendSafely(h, probe, state);
          if (answer.status !== 201) return;
          accepted++;
          await checkStored(probe, answer.json as Trigger);
          expect(
            (await h.call('DELETE', `/api/v1/triggers/${(answer.json as Trigger).id}`, { key: alice.key })).status,
          ).toBe(204);
        },
      ),
      fuzzParameters(40),
    );
    expect(accepted, 'the generator reaches valid bodies too').toBeGreaterThan(0);
  });

  it(`PATCH /api/v1/triggers/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    await fc.assert(
      fc.asyncProperty(requestBody(fc.record(fields(), { requiredKeys: [] })), async (body) => {
        const probe: Probe = { method: 'PATCH', path: `/api/v1/triggers/${target.id}`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status === 200) await checkStored(probe, answer.json as Trigger);
      }),
      fuzzParameters(30),
    );
  });

  it(
    `POST /hooks/{id}: any delivery body is a 2xx or a 4xx with a code; a refused one runs nothing (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      const created = await h.call('POST', '/api/v1/triggers', {
        key: alice.key,
        body: {
          name: 'deliveries',
          assistant_id: assistantId,
          auth: { type: 'bearer', token: { env: 'HOOK_SECRET' } },
          rate_limit: null,
          input_template: { pr: '{{event.body.number}}', q: '{{event.query.q}}' },
        },
      });
      const hookId = ((await created.json()) as Trigger).id;
      const body = fc.oneof(
        {
          weight: 3,
          arbitrary: requestBody(
            fc.record({
              number: fc.integer(),
              action: fc.constantFrom('opened', 'closed'),
              sender: fc.record({ login: hostileString }),
            }),
          ),
        },
        { weight: 1, arbitrary: hostileValue.map(jsonText) },
      );
      const runs = () => fingerprint(h.db, ['runs']);
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          const answer = await sendSafely(
            h,
            { method: 'POST', path: `/hooks/${hookId}?q=1`, body: text, key: 's3cret' },
            runs,
          );
          if (answer.status === 202) expect(typeof (answer.json as { run_id: unknown }).run_id).toBe('string');
        }),
        fuzzParameters(30),
      );
    },
  );
  it(
    `POST /hooks/{id}: any query string and header is a 2xx or a 4xx with a code; none reaches a run changed (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      const created = await h.call('POST', '/api/v1/triggers', {
        key: alice.key,
        body: {
          name: 'query-and-headers',
          assistant_id: assistantId,
          auth: { type: 'bearer', token: { env: 'HOOK_SECRET' } },
          rate_limit: null,
          input_template: { q: '{{event.query.q}}', h: '{{event.headers.x-fuzz}}' },
        },
      });
      const hookId = ((await created.json()) as Trigger).id;
      // Percent-escapes of any byte (NUL, a surrogate's UTF-8, broken ones) and any text the URL parser encodes.
      const piece = fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            '%00',
            '%ED%A0%80',
            '%ED%BF%BF',
            '%FF',
            '%',
            '%2',
            '+',
            '&',
            '=',
            '%26',
            '%C3%BC',
            '💥',
          ),
        },
        fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
        fc.string({ maxLength: 6 }).map((text) => text.replace(/#/g, '')),
      );
      const queryValue = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(''));
      const queryName = fc.oneof(fc.constant('q'), queryValue);
      // Header values as the wire carries them: bytes 0x20-0xff (Latin-1), no NUL, CR or LF.
      const headerValue = fc
        .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 20 })
        .map((codes) => String.fromCharCode(...codes));
      const runs = () => fingerprint(h.db, ['runs']);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(queryName, queryValue), { maxLength: 3 }),
          headerValue,
          async (params, header) => {
            const query = params.map(([name, value]) => `${name}=${value}`).join('&');
            const before = await runs();
            const response = await h.app.request(`/hooks/${hookId}?${query}`, {
              method: 'POST',
              headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json', 'x-fuzz': header },
              body: '{}',
            });
            const text = await response.text();
            const context = `?${query} x-fuzz: ${JSON.stringify(header)}\n→ ${response.status} ${text.slice(0, 400)}`;
            expect(response.status, context).toBeLessThan(500);
            const json = JSON.parse(text) as { error?: { code?: string }; run_id?: string };
            if (response.status >= 400) {
              expect(json.error?.code, context).toMatch(/^[a-z][a-z0-9_]*$/);
              expect(await runs(), context).toBe(before);
              return;
            }
            expect(response.status, context).toBe(202);
            const { rows } = await h.db.query<{ input: { q?: string; h?: string } }>(
              'SELECT input FROM runs WHERE id = $1',
              [json.run_id],
            );
            // What the template saw is what was stored: no NUL, no surrogate, the header as sent (less HTTP's outer spaces).
            expect(rows[0]!.input.h ?? '', context).toBe(header.replace(/^[ \t]+|[ \t]+$/g, ''));
            expect(JSON.stringify(rows[0]!.input), context).not.toMatch(/\\u0000|\\ud[89a-f]/i);
          },
        ),
        fuzzParameters(40),
      );
    },
  );
});
