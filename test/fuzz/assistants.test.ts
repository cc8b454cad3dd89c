import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzTimezone } from './cron-strings.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileString, requestBody } from './hostile-values.ts';
import { templateString, templateValue } from './template-strings.ts';

interface Assistant {
  id: string;
  name: string;
  description: string | null;
  kind: string;
  metadata: Record<string, unknown>;
}

/** URLs with literal addresses (no DNS lookups), a few of them refused ones. */
const url = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('http://127.0.0.1:9/agent', 'https://10.0.0.1/run', 'http://[::1]:8/x') },
  fc.constantFrom(
    'ftp://127.0.0.1/x',
    'http://user:pw@127.0.0.1/x',
    'http://127.0.0.1/x?api_key=1',
    'file:///etc/passwd',
    'javascript:alert(1)',
    '127.0.0.1',
    'http://',
  ),
);
const env = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom({ env: 'AGENT_TOKEN' }, { env: 'OPENAI_API_KEY' }) },
  fc.constantFrom({ env: 'DATABASE_URL' }, { env: 'no-dashes' }, 'plain-secret', { env: '' }),
);
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom('X-Team', 'Authorization', 'Bad Header', ''), fc.string({ maxLength: 6 })),
  fc.oneof(fc.string({ maxLength: 8 }), env),
  { maxKeys: 2 },
);
const timeout = fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(0, -1, 86_401));

/** A config for each kind: mostly valid, with the kind's own mistakes mixed in. */
const configs = {
  http: fc.record(
    {
      url,
      method: fc.constantFrom('POST', 'PUT', 'PATCH', 'GET', 'DELETE', 'post'),
      headers,
      body: templateValue,
      format: fc.constantFrom('json', 'form', 'xml'),
      query: fc.dictionary(fc.string({ maxLength: 6 }), templateString, { maxKeys: 2 }),
      output: fc.constantFrom('/result', '', '/a/0', 'result', '/~2', '/a~1b'),
      timeout_s: timeout,
    },
    { requiredKeys: ['url'] },
  ),
  llm: fc.record(
    {
      base_url: url,
      model: fc.oneof(fc.constant('gpt-test'), fc.constant('')),
      api_key: env,
      system_prompt: templateString,
      temperature: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(-0.1, 2.1)),
      max_tokens: fc.integer({ min: -1, max: 100_000 }),
      headers,
      tools: fc.array(fc.constantFrom('schedules', 'shell'), { maxLength: 2 }),
      max_tool_rounds: fc.integer({ min: 0, max: 101 }),
      default_timezone: fuzzTimezone,
    },
    { requiredKeys: ['base_url', 'model'] },
  ),
  module: fc.record(
    {
      module: fc.constantFrom('echo', 'echo', 'missing', ''),
      options: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
      timeout_s: timeout,
    },
    { requiredKeys: ['module'] },
  ),
  agentos: fc.record(
    {
      base_url: url,
      agent_id: fc.constant('agent-1'),
      team_id: fc.constant('team-1'),
      user_id: hostileString,
      headers,
      timeout_s: timeout,
    },
    { requiredKeys: ['base_url'] },
  ),
  langgraph: fc.record(
    {
      base_url: url,
      graph_id: fc.constant('agent'),
      assistant_id: fc.constant('a-1'),
      output_key: fc.constant('messages'),
      config: fc.jsonValue({ maxDepth: 2 }),
      context: fc.object({ maxDepth: 1 }),
      headers,
    },
    { requiredKeys: ['base_url'] },
  ),
  a2a: fc.record(
    { url, agent_card_url: url, headers, poll_interval_s: fc.constantFrom(0.01, 0.05, 1, 61), timeout_s: timeout },
    { requiredKeys: [] },
  ),
};

const kindAndConfig = fc.oneof(
  ...Object.entries(configs).map(([kind, config]) =>
    fc.record({ kind: fc.constant(kind), config: config as fc.Arbitrary<unknown> }),
  ),
);

const common = {
  name: fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) }, hostileString),
  description: fc.oneof(fc.constant(null), hostileString),
  status: fc.constantFrom('active', 'inactive', 'deleted'),
  graph_id: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 10 }), hostileString),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
};

describe('fuzz: assistant bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let target: Assistant;
  const state = () => fingerprint(h.db, ['assistants', 'schedules', 'runs', 'threads'], ['assistants']);

  beforeAll(async () => {
    h = await createApiHarness(
      'postgres',
      { KAIROS_HTTP_ALLOW_PRIVATE: 'true', AGENT_TOKEN: 't', OPENAI_API_KEY: 'k' },
      { services: true },
    );
    alice = await h.caller('member');
    const created = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'target', kind: 'module', config: { module: 'echo' } },
    });
    expect(created.status).toBe(201);
    target = (await created.json()) as Assistant;
  });
  afterAll(async () => {
    printSlowest('assistants');
    await h.close();
  });

  async function checkStored(probe: Probe, assistant: Assistant): Promise<void> {
    expect(await readBack(h, alice.key, `/api/v1/assistants/${assistant.id}`)).toEqual(assistant);
    const sent = sentBody(probe) ?? {};
    if (typeof sent.name === 'string') expect(assistant.name).toBe(sent.name.trim());
    if (sent.description !== undefined) expect(assistant.description).toBe(sent.description);
    if (sent.metadata !== undefined) expect(assistant.metadata).toEqual(asStored(sent.metadata));
  }

  it(`POST /api/v1/assistants, every kind (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    let accepted = 0;
    const body = fc
      .tuple(kindAndConfig, fc.record(common, { requiredKeys: ['name'] }))
      .map(([kind, rest]) => ({ ...rest, ...kind }));
    await fc.assert(
      fc.asyncProperty(requestBody(body), async (text) => {
        const probe: Probe = { method: 'POST', path: '/api/v1/assistants', body: text, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status !== 201) return;
        accepted++;
        const assistant = answer.json as Assistant;
        await checkStored(probe, assistant);
        expect((await h.call('DELETE', `/api/v1/assistants/${assistant.id}`, { key: alice.key })).status).toBe(204);
      }),
      fuzzParameters(40),
    );
    expect(accepted, 'the generator reaches valid bodies too').toBeGreaterThan(0);
  });

  it(`PATCH /api/v1/assistants/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const patch = fc
      .tuple(fc.option(kindAndConfig, { nil: undefined }), fc.record(common, { requiredKeys: [] }))
      .map(([kind, rest]) => ({ ...rest, ...kind }));
    await fc.assert(
      fc.asyncProperty(requestBody(patch), async (text) => {
        const probe: Probe = { method: 'PATCH', path: `/api/v1/assistants/${target.id}`, body: text, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status === 200) await checkStored(probe, answer.json as Assistant);
      }),
      fuzzParameters(30),
    );
  });

  it(
    `POST /api/v1/assistants/test and /{id}/test store nothing (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      // Agents that answer at once: the echo module, and a port where nothing listens.
      const draftConfig = fc.oneof(
        configs.module,
        fc.record({
          url: fc.constant('http://127.0.0.1:9/agent'),
          body: templateValue,
          query: fc.dictionary(fc.string({ maxLength: 4 }), templateString, { maxKeys: 2 }),
        }),
      );
      const draft = fc.record(
        { kind: fc.constantFrom('module', 'http', 'nope'), config: draftConfig, input: templateValue },
        { requiredKeys: ['kind'] },
      );
      const saved = fc.record({ input: templateValue }, { requiredKeys: [] });
      const probe = fc.oneof(
        requestBody(draft).map((body) => ['/api/v1/assistants/test', body] as const),
        requestBody(saved).map((body) => [`/api/v1/assistants/${target.id}/test`, body] as const),
      );
      await fc.assert(
        fc.asyncProperty(probe, async ([path, body]) => {
          const before = await state();
          const answer = await sendSafely(h, { method: 'POST', path, body, key: alice.key }, state);
          expect(await state()).toBe(before);
          if (answer.status === 200) expect(typeof (answer.json as { ok: unknown }).ok).toBe('boolean');
        }),
        fuzzParameters(20),
      );
    },
  );
});
