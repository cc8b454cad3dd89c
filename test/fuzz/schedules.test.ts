import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzCron, fuzzTimezone, validCron } from './cron-strings.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileString, jsonText, requestBody } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

interface Schedule {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  input_template: unknown;
  paused: { note: string | null } | null;
}

const hour = 3_600_000;
const instant = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** A schedule spec: a cron string, or an object with cron, at or every. */
const spec = fc.oneof(
  validCron,
  fuzzCron,
  fc.record({ cron: fc.oneof(validCron, fuzzCron), timezone: fuzzTimezone }, { requiredKeys: ['cron'] }),
  fc.record(
    { at: fc.integer({ min: -48, max: 48 }).map((h) => instant(h * hour)), timezone: fuzzTimezone },
    { requiredKeys: ['at'] },
  ),
  fc.record(
    {
      every: fc.oneof(fc.constantFrom(60, '15m', 'PT1H', '1h30m', 0, -5, '0s', 'forever'), fc.integer()),
      anchor: fc.constant(instant(0)),
    },
    { requiredKeys: ['every'] },
  ),
);

/** The optional fields of a schedule, valid values mostly. */
const scheduleFields = {
  schedule: spec,
  input_template: templateValue,
  session_mode: fc.constantFrom('new', 'persistent'),
  on_run_completed: fc.constantFrom('delete', 'keep'),
  max_concurrent: fc.integer({ min: 1, max: 1000 }),
  overlap: fc.constantFrom('skip', 'queue', 'allow', 'cancel_previous'),
  timeout: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 3600 })),
  retry: fc.record({
    max_attempts: fc.integer({ min: 1, max: 5 }),
    backoff: fc.constantFrom('exponential', 'fixed', 'none', { initial_s: 1, factor: 2, max_s: 60 }),
  }),
  misfire: fc.constantFrom('skip', 'run_once', 'run_all'),
  catchup_window: fc.constantFrom(0, 60, '1h', 'PT30M'),
  jitter: fc.constantFrom(0, 5, '10s'),
  end_at: fc.constant(instant(30 * 24 * hour)),
  max_runs: fc.integer({ min: 1, max: 100 }),
  enabled: fc.boolean(),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  alert_after: fc.integer({ min: 1, max: 10 }),
  pause_after_failures: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 10 })),
  webhook: fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:9/x', 'ftp://example.com', 'not a url'),
  dst: fc.record(
    { repeated: fc.constantFrom('first', 'last', 'both'), skipped: fc.constantFrom('shift', 'skip') },
    { requiredKeys: [] },
  ),
  exclude_dates: fc.array(fc.constantFrom('2026-12-25', '2027-01-01', '2026-02-30', '25/12/2026', ''), {
    maxLength: 3,
  }),
};

describe('fuzz: schedule bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let target: Schedule;
  let counter = 0;
  const state = () => fingerprint(h.db, ['schedules', 'runs', 'schedule_events', 'threads', 'messages'], ['schedules']);

  beforeAll(async () => {
    h = await createApiHarness('postgres', {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { name: 'target', assistant_id: assistantId, schedule: '0 9 * * *' },
    });
    expect(created.status).toBe(201);
    target = (await created.json()) as Schedule;
  });
  afterAll(async () => {
    printSlowest('schedules');
    await h.close();
  });

  const createBody = () =>
    fc.record(
      {
        name: fc.oneof(fc.constant(`s-${++counter}`), hostileString),
        assistant_id: fc.oneof(
          { weight: 5, arbitrary: fc.constant(assistantId) },
          fc.constantFrom('', 'no-such-assistant', '00000000-0000-0000-0000-000000000000'),
        ),
        ...scheduleFields,
      },
      { requiredKeys: ['assistant_id', 'schedule'] },
    );

  /** An accepted schedule reads back as it was answered, with the name, metadata and template sent. */
  async function checkStored(probe: Probe, schedule: Schedule): Promise<void> {
    expect(await readBack(h, alice.key, `/api/v1/schedules/${schedule.id}`)).toEqual(schedule);
    const sent = sentBody(probe) ?? {};
    if (typeof sent.name === 'string') expect(schedule.name).toBe(sent.name.trim());
    if (sent.metadata !== undefined) expect(schedule.metadata).toEqual(asStored(sent.metadata));
    if (sent.input_template !== undefined) expect(schedule.input_template).toEqual(asStored(sent.input_template));
  }

  it(`POST /api/v1/schedules (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(requestBody(createBody()), async (body) => {
        const probe: Probe = { method: 'POST', path: '/api/v1/schedules', body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status !== 201) return;
        accepted++;
        const schedule = answer.json as Schedule;
        await checkStored(probe, schedule);
        expect((await h.call('DELETE', `/api/v1/schedules/${schedule.id}`, { key: alice.key })).status).toBe(204);
      }),
      fuzzParameters(20),
    );
    expect(accepted, 'the generator reaches valid bodies too').toBeGreaterThan(0);
  });

  it(`PATCH /api/v1/schedules/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const patch = fc.record(
      { name: fc.oneof(fc.constant('target'), hostileString), ...scheduleFields },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(requestBody(patch), async (body) => {
        const probe: Probe = { method: 'PATCH', path: `/api/v1/schedules/${target.id}`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status === 200) await checkStored(probe, answer.json as Schedule);
      }),
      fuzzParameters(20),
    );
  });

  it(`PUT /api/v1/schedules/by-name/{name} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const name = fc.oneof(
      fc.constantFrom('by-name', 'daily digest', 'ünï', '%2e%2e', 'a%00b', 'x'.repeat(201)),
      fc.string({ minLength: 1, maxLength: 10 }),
    );
    const query = fc.constantFrom('', '?if_exists=update', '?if_exists=skip', '?if_exists=raise', '?if_exists=nope');
    const body = fc.record(
      { assistant_id: fc.constant(assistantId), ...scheduleFields },
      { requiredKeys: ['assistant_id', 'schedule'] },
    );
    await fc.assert(
      fc.asyncProperty(name, query, requestBody(body), async (pathName, search, text) => {
        const probe: Probe = {
          method: 'PUT',
          path: `/api/v1/schedules/by-name/${encodeURIComponent(pathName)}${search}`,
          body: text,
          key: alice.key,
        };
        const answer = await sendSafely(h, probe, state);
        if (answer.status !== 200 && answer.status !== 201) return;
        const outcome = answer.json as { result: string; schedule: Schedule };
        expect(outcome.schedule.name).toBe(pathName.trim());
        expect(await readBack(h, alice.key, `/api/v1/schedules/${outcome.schedule.id}`)).toEqual(outcome.schedule);
        if (outcome.result === 'created')
          await h.call('DELETE', `/api/v1/schedules/${outcome.schedule.id}`, { key: alice.key });
      }),
      fuzzParameters(15),
    );
  });

  it(`POST /api/v1/schedules/preview stores nothing (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const flat = fc.record(
      { cron: fuzzCron, timezone: fuzzTimezone, count: fc.integer({ min: -1, max: 101 }) },
      { requiredKeys: ['cron'] },
    );
    const nested = fc.record(
      {
        schedule: spec,
        start_at: fc.constant(instant(0)),
        end_at: fc.constant(instant(hour)),
        dst: scheduleFields.dst,
        exclude_dates: scheduleFields.exclude_dates,
      },
      { requiredKeys: ['schedule'] },
    );
    await fc.assert(
      fc.asyncProperty(requestBody(fc.oneof(flat, nested)), async (body) => {
        const before = await state();
        const answer = await sendSafely(
          h,
          { method: 'POST', path: '/api/v1/schedules/preview', body, key: alice.key },
          state,
        );
        expect(await state()).toBe(before);
        if (answer.status === 200) expect(Array.isArray((answer.json as { times: unknown }).times)).toBe(true);
      }),
      fuzzParameters(15),
    );
  });

  it(
    `POST /api/v1/schedules/{id}/backfill creates what it reports (seed ${fuzzSeed})`,
    { timeout: fuzzTimeoutMs },
    async () => {
      const window = fc.record(
        {
          from: fc.integer({ min: -96, max: 2 }).map((h) => instant(h * hour)),
          to: fc.integer({ min: -72, max: 2 }).map((h) => instant(h * hour)),
          overlap: fc.constantFrom('queue', 'obey'),
          dry_run: fc.boolean(),
        },
        { requiredKeys: ['from', 'to'] },
      );
      const query = fc.constantFrom('', '?dry_run=true', '?dry_run=false', '?dry_run=yes');
      await fc.assert(
        fc.asyncProperty(requestBody(window), query, async (body, search) => {
          const runsBefore = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs');
          const answer = await sendSafely(
            h,
            { method: 'POST', path: `/api/v1/schedules/${target.id}/backfill${search}`, body, key: alice.key },
            state,
          );
          if (answer.status !== 200) return;
          const result = answer.json as { runs: number; run_ids: string[]; dry_run: boolean };
          const runsAfter = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM runs');
          expect(runsAfter.rows[0]!.n - runsBefore.rows[0]!.n).toBe(result.dry_run ? 0 : result.runs);
          for (const id of result.run_ids.slice(0, 3)) await readBack(h, alice.key, `/api/v1/runs/${id}`);
        }),
        fuzzParameters(15),
      );
    },
  );

  it(`POST /api/v1/schedules/{id}/pause and /trigger (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const pause = requestBody(fc.record({ note: hostileString }, { requiredKeys: [] })).map(
      (body) => ['pause', body] as const,
    );
    const trigger = requestBody(
      fc.record({ input: templateValue, overlap: fc.constantFrom('obey', 'override') }, { requiredKeys: [] }),
    ).map((body) => ['trigger', body] as const);
    await fc.assert(
      fc.asyncProperty(fc.oneof(pause, trigger), async ([action, body]) => {
        const probe: Probe = { method: 'POST', path: `/api/v1/schedules/${target.id}/${action}`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status >= 300) return;
        if (action === 'pause') {
          const schedule = answer.json as Schedule;
          const note = sentBody(probe)?.note;
          expect(schedule.paused?.note ?? null).toBe(typeof note === 'string' ? note.trim() : null);
          expect(await readBack(h, alice.key, `/api/v1/schedules/${target.id}`)).toEqual(schedule);
          expect((await h.call('POST', `/api/v1/schedules/${target.id}/resume`, { key: alice.key })).status).toBe(200);
        } else {
          const run = answer.json as { id: string; input: unknown };
          expect(await readBack(h, alice.key, `/api/v1/runs/${run.id}`)).toMatchObject(run as Record<string, unknown>);
          const input = sentBody(probe)?.input;
          if (input !== undefined) expect(run.input).toEqual(asStored(input));
        }
      }),
      fuzzParameters(15),
    );
  });

  it('keeps the JSON text helper honest: own __proto__ keys and raw numbers are written as given', () => {
    expect(jsonText(JSON.parse('{"__proto__":{"a":1}}'))).toBe('{"__proto__":{"a":1}}');
  });
});
