import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileNumber, hostileValue, jsonText, requestBody } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

const metadata = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

describe('fuzz: thread, message and run bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let threadId: string;
  const state = () => fingerprint(h.db, ['threads', 'messages', 'runs', 'run_events'], ['threads']);

  beforeAll(async () => {
    h = await createApiHarness('postgres', {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const thread = await h.call('POST', '/api/v1/threads', { key: alice.key, body: { assistant_id: assistantId } });
    threadId = ((await thread.json()) as { id: string }).id;
  });
  afterAll(async () => {
    printSlowest('threads and runs');
    await h.close();
  });

  it(`POST /api/v1/threads and PATCH /api/v1/threads/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const create = requestBody(
      fc.record({ assistant_id: fc.constantFrom(assistantId, null, '', 'missing'), metadata }, { requiredKeys: [] }),
    ).map((body) => ['POST', '/api/v1/threads', body] as const);
    const patch = requestBody(fc.record({ metadata })).map(
      (body) => ['PATCH', `/api/v1/threads/${threadId}`, body] as const,
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(create, patch), async ([method, path, body]) => {
        const probe: Probe = { method, path, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status >= 300) return;
        const thread = answer.json as { id: string; metadata: unknown };
        expect(await readBack(h, alice.key, `/api/v1/threads/${thread.id}`)).toMatchObject(thread);
        const sent = sentBody(probe)?.metadata;
        if (sent !== undefined) expect(thread.metadata).toEqual(asStored(sent));
        if (method === 'POST')
          expect((await h.call('DELETE', `/api/v1/threads/${thread.id}`, { key: alice.key })).status).toBe(200);
      }),
      fuzzParameters(40),
    );
  });

  it(`POST /api/v1/threads/{id}/messages (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const message = fc.record(
      {
        role: fc.constantFrom('user', 'assistant', 'system', 'tool', 'admin', ''),
        content: fc.oneof(templateValue, hostileValue),
      },
      { requiredKeys: ['role'] },
    );
    const messages = fc.oneof(
      { weight: 4, arbitrary: fc.array(message, { maxLength: 4 }).map(jsonText) },
      { weight: 1, arbitrary: requestBody(fc.record({ role: fc.constant('user'), content: fc.constant('hi') })) },
    );
    await fc.assert(
      fc.asyncProperty(messages, async (body) => {
        const answer = await sendSafely(
          h,
          { method: 'POST', path: `/api/v1/threads/${threadId}/messages`, body, key: alice.key },
          state,
        );
        if (answer.status >= 300) return;
        const stored = (await readBack(h, alice.key, `/api/v1/threads/${threadId}/messages?limit=1000`)) as {
          data: Array<{ content: unknown }>;
        };
        const sent = JSON.parse(body) as Array<{ content: unknown }>;
        expect(stored.data.slice(-sent.length).map((entry) => entry.content)).toEqual(
          sent.map((entry) => asStored(entry.content)),
        );
      }),
      fuzzParameters(40),
    );
  });

  it(`POST /api/v1/runs (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const run = fc.record(
      {
        assistant_id: fc.oneof({ weight: 4, arbitrary: fc.constant(assistantId) }, fc.constantFrom('', 'missing', ' ')),
        input: templateValue,
        thread_id: fc.constantFrom(null, threadId, '00000000-0000-0000-0000-000000000000', 'nope'),
        timeout: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 600 }), hostileNumber),
        retry: fc.record(
          {
            max_attempts: fc.oneof(fc.integer({ min: 1, max: 5 }), hostileNumber),
            backoff: fc.record(
              { initial_s: hostileNumber, factor: hostileNumber, max_s: hostileNumber },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['max_attempts'] },
        ),
        metadata,
      },
      { requiredKeys: ['assistant_id'] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requestBody(run), async (body) => {
        const probe: Probe = { method: 'POST', path: '/api/v1/runs', body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status >= 300) return;
        accepted++;
        const created = answer.json as { id: string; input: unknown; metadata: unknown };
        expect(await readBack(h, alice.key, `/api/v1/runs/${created.id}`)).toMatchObject(
          created as Record<string, unknown>,
        );
        const sent = sentBody(probe) ?? {};
        if (sent.input !== undefined) expect(created.input).toEqual(asStored(sent.input));
        if (sent.metadata !== undefined) expect(created.metadata).toEqual(asStored(sent.metadata));
      }),
      fuzzParameters(40),
    );
    expect(accepted, 'the generator reaches valid bodies too').toBeGreaterThan(0);
  });
});
