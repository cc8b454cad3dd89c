import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzCron, fuzzTimezone, validCron } from './cron-strings.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileString, requestBody } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

interface Cron {
  cron_id: string;
  schedule: string;
  metadata: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const metadata = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

/** The LangGraph payload fields Kairos keeps or refuses. */
const payload = {
  input: templateValue,
  metadata,
  config: fc.record({
    configurable: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
  }),
  context: fc.jsonValue({ maxDepth: 2 }),
  interrupt_before: fc.oneof(fc.constant('*'), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 })),
  multitask_strategy: fc.constantFrom('reject', 'interrupt', 'rollback', 'enqueue', 'merge'),
  stream_mode: fc.constantFrom('values', ['updates'], 7),
  webhook: fc.constantFrom('https://example.com/hook', 'not-a-url', 'ftp://x'),
};

describe('fuzz: LangGraph-compatible bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let threadId: string;
  let target: Cron;
  const state = () => fingerprint(h.db, ['schedules', 'runs', 'threads', 'assistants'], ['schedules', 'assistants']);

  beforeAll(async () => {
    h = await createApiHarness('postgres', {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' }, graph_id: 'echo-graph' },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const thread = await h.call('POST', '/api/v1/threads', { key: alice.key, body: {} });
    threadId = ((await thread.json()) as { id: string }).id;
    const cron = await h.call('POST', '/runs/crons', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: '0 9 * * *', enabled: false },
    });
    expect(cron.status).toBe(200);
    target = (await cron.json()) as Cron;
  });
  afterAll(async () => {
    printSlowest('langgraph');
    await h.close();
  });

  const cronBody = () =>
    fc.record(
      {
        assistant_id: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(assistantId, 'echo-graph') },
          fc.constantFrom('', 'missing'),
        ),
        schedule: fc.oneof(validCron, fuzzCron),
        timezone: fuzzTimezone,
        on_run_completed: fc.constantFrom('delete', 'keep', 'archive'),
        enabled: fc.boolean(),
        end_time: fc.constantFrom(null, '2030-01-01T00:00:00Z', 'tomorrow'),
        ...payload,
      },
      { requiredKeys: ['assistant_id', 'schedule'] },
    );

  it(`POST /runs/crons and /threads/{id}/runs/crons (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const paths = fc.constantFrom(
      '/runs/crons',
      `/threads/${threadId}/runs/crons`,
      '/threads/00000000-0000-0000-0000-000000000000/runs/crons',
    );
    await fc.assert(
      fc.asyncProperty(paths, requestBody(cronBody()), async (path, body) => {
        const probe: Probe = { method: 'POST', path, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status !== 200) return;
        const cron = answer.json as Cron & { run_id?: string };
        const { run_id: _run, ...stored } = cron;
        expect(await readBack(h, alice.key, `/runs/crons/${cron.cron_id}`)).toMatchObject(stored);
        const sent = sentBody(probe) ?? {};
        if (typeof sent.schedule === 'string') expect(cron.schedule).toBe(sent.schedule);
        if (sent.metadata !== undefined) expect(cron.metadata).toEqual(asStored(sent.metadata));
        expect((await h.call('DELETE', `/runs/crons/${cron.cron_id}`, { key: alice.key })).status).toBe(204);
      }),
      fuzzParameters(30),
    );
  });

  it(`PATCH /runs/crons/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const patch = fc.record(
      {
        schedule: fc.oneof(validCron, fuzzCron),
        timezone: fuzzTimezone,
        end_time: fc.constantFrom(null, '2030-01-01T00:00:00Z', 'soon'),
        on_run_completed: fc.constantFrom('delete', 'keep', 'x'),
        enabled: fc.constant(false),
        ...payload,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(requestBody(patch), async (body) => {
        const probe: Probe = { method: 'PATCH', path: `/runs/crons/${target.cron_id}`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status === 200)
          expect(await readBack(h, alice.key, `/runs/crons/${target.cron_id}`)).toEqual(answer.json);
      }),
      fuzzParameters(30),
    );
  });

  it(
    `POST /runs/crons/search, /runs/crons/count, /assistants/search store nothing (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      const filters = {
        assistant_id: fc.constantFrom(assistantId, 'echo-graph', ''),
        thread_id: fc.constantFrom(threadId, 'nope'),
        enabled: fc.boolean(),
        metadata,
        limit: fc.integer({ min: -1, max: 1001 }),
        offset: fc.integer({ min: -1, max: 10 }),
        sort_by: fc.constantFrom('created_at', 'next_run_date', 'name', 'schedule; DROP TABLE x'),
        sort_order: fc.constantFrom('asc', 'desc', 'up'),
        select: fc.array(fc.constantFrom('cron_id', 'schedule', 'payload', 'secret'), { maxLength: 3 }),
        graph_id: fc.constantFrom('echo-graph', ''),
        name: hostileString,
      };
      const probe = fc.tuple(
        fc.constantFrom('/runs/crons/search', '/runs/crons/count', '/assistants/search'),
        requestBody(fc.record(filters, { requiredKeys: [] })),
      );
      await fc.assert(
        fc.asyncProperty(probe, async ([path, body]) => {
          const before = await state();
          await sendSafely(h, { method: 'POST', path, body, key: alice.key }, state);
          expect(await state()).toBe(before);
        }),
        fuzzParameters(30),
      );
    },
  );

  it(`POST /assistants, /threads and (refused) /runs/wait (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const assistant = fc.record(
      {
        graph_id: fc.constantFrom('echo-graph', 'missing-graph', ''),
        assistant_id: fc.constantFrom('00000000-0000-4000-8000-000000000001', 'x'),
        if_exists: fc.constantFrom('raise', 'do_nothing', 'update'),
        name: hostileString,
        description: hostileString,
        metadata,
        config: fc.object({ maxDepth: 1 }),
        context: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ['graph_id'] },
    );
    const thread = fc.record(
      {
        metadata,
        thread_id: fc.constantFrom('00000000-0000-4000-8000-000000000002', 'nope'),
        if_exists: fc.constantFrom('raise', 'do_nothing', 'x'),
        ttl: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    );
    // A valid wait would block until the run ends (no worker here): the assistant is never one that exists.
    const wait = fc.record(
      {
        assistant_id: fc.constantFrom('missing', ''),
        command: fc.jsonValue({ maxDepth: 1 }),
        after_seconds: fc.integer(),
        on_completion: fc.constantFrom('delete', 'x'),
        ...payload,
      },
      { requiredKeys: ['assistant_id'] },
    );
    const probe = fc.oneof(
      requestBody(assistant).map((body) => ['/assistants', body] as const),
      requestBody(thread).map((body) => ['/threads', body] as const),
      fc.tuple(fc.constantFrom('/runs/wait', `/threads/${threadId}/runs/wait`), requestBody(wait)),
    );
    await fc.assert(
      fc.asyncProperty(probe, async ([path, body]) => {
        const parsed = sentBody({ method: 'POST', path, body, key: alice.key });
        if (
          path.endsWith('/runs/wait') &&
          parsed &&
          typeof parsed.assistant_id === 'string' &&
          parsed.assistant_id !== 'missing' &&
          parsed.assistant_id !== ''
        )
          return;
        const answer = await sendSafely(h, { method: 'POST', path, body, key: alice.key }, state);
        if (answer.status !== 200) return;
        if (path === '/assistants') {
          const created = answer.json as { assistant_id: string };
          expect(await readBack(h, alice.key, `/assistants/${created.assistant_id}`)).toMatchObject(created);
          await h.call('DELETE', `/assistants/${created.assistant_id}`, { key: alice.key });
        } else if (path === '/threads') {
          const created = answer.json as { thread_id: string; metadata: unknown };
          expect(
            ((await readBack(h, alice.key, `/threads/${created.thread_id}`)) as { metadata: unknown }).metadata,
          ).toEqual(created.metadata);
          await h.call('DELETE', `/api/v1/threads/${created.thread_id}`, { key: alice.key });
        }
      }),
      fuzzParameters(30),
    );
  });
});
