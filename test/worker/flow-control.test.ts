import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { KairosError } from '../../src/errors.ts';
import { createRuns } from '../../src/runs/create-runs.ts';
import { resolveRunPolicy } from '../../src/runs/run-policy.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { parseTriggerInput, triggerCreateSchema } from '../../src/triggers/trigger-input.ts';
import { admin, createEngine, engineWorkflows, type Engine, type Replica } from '../engine/harness.ts';
import { startHttpAgentServer, type AgentRequest, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { waitFor } from '../helpers/wait-for.ts';

// Concurrency keys and priority (docs/gates.md), on PostgreSQL with two replicas (two worker
// pools on one schema). The agent holds each request open until the test releases it, so that
// runs stay running as long as the test needs.
const tagOf = (request: AgentRequest) => (request.body as { input: { tag: string } }).input.tag;

describe('concurrency keys and priority across two replicas (postgres)', () => {
  let engine: Engine;
  let other: Replica;
  let agent: HttpAgentServer;
  let assistantId: string;
  const held = new Map<string, () => void>();
  const release = (tag: string) => {
    const answer = held.get(tag);
    if (!answer) throw new Error(`no request ${tag} is held`);
    held.delete(tag);
    answer();
  };
  const tags = () => agent.requests.map(tagOf);
  const waitForTags = (expected: string[], message: string) =>
    waitFor(() => JSON.stringify(tags()) === JSON.stringify(expected), {
      timeoutMs: 20_000,
      message: `${message}: ${JSON.stringify(expected)} (got ${JSON.stringify(tags())})`,
    });
  const run = async (id: string) =>
    (await engine.test.db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id])).rows[0]!;

  beforeAll(async () => {
    engine = await createEngine('postgres', { worker: { slots: 2 } });
    other = engine.replica({ worker: { slots: 2 } });
    agent = await startHttpAgentServer(
      (request) =>
        new Promise((resolve) => {
          held.set(tagOf(request), () => resolve({ body: { ok: tagOf(request) } }));
        }),
    );
    assistantId = (
      await insertAssistant(engine.test.db, {
        ownerId: localAdminId,
        name: 'held',
        kind: 'http',
        config: { url: agent.url },
      })
    ).id;
  }, 120_000);
  afterAll(async () => {
    for (const answer of held.values()) answer();
    await engine?.close();
    await agent?.close();
  });

  /** A schedule that never fires by itself; its runs are manual triggers with their own input. */
  const keyedSchedule = (
    name: string,
    concurrency: { key: string; limit: number; strategy?: 'queue' | 'skip' | 'cancel_oldest' },
  ) =>
    engine.schedules.create(admin, {
      name,
      assistant_id: assistantId,
      schedule: { cron: '0 0 1 1 *' },
      max_concurrent: 10,
      overlap: 'allow',
      concurrency,
    });
  const trigger = async (scheduleId: string, customer: string | undefined, tag: string) =>
    (await engine.schedules.trigger(admin, scheduleId, { input: { customer, tag } })).id;

  it(
    'queue: one run per key at once, first in first out; another key runs in parallel',
    { timeout: 60_000 },
    async () => {
      // Four slots in all (two per replica): customer a's runs queue behind each other while b's runs.
      await Promise.all([engine.worker.start(), other.worker.start()]);
      const schedule = await keyedSchedule('queue', { key: '{{input.customer}}', limit: 1, strategy: 'queue' });
      const a1 = await trigger(schedule.id, 'a', 'a1');
      await waitForTags(['a1'], 'the first run of key a starts');
      const queued = [await trigger(schedule.id, 'a', 'a2'), await trigger(schedule.id, 'a', 'a3')];
      const b1 = await trigger(schedule.id, 'b', 'b1');
      await waitForTags(['a1', 'b1'], 'key b runs beside key a');
      expect((await run(a1)).concurrency_key).toBe('a');
      // Held with their reason, shown by the API.
      await waitFor(async () => (await engine.runs.get(admin, queued[0]!)).held_reason === 'concurrency_key', {
        timeoutMs: 20_000,
        message: 'a queued run says why it waits',
      });
      const resource = await engine.runs.get(admin, queued[1]!);
      expect(resource).toMatchObject({ status: 'pending', concurrency_key: 'a', priority: 3 });
      release('b1');
      release('a1');
      await waitForTags(['a1', 'b1', 'a2'], 'a2 starts once a1 finished');
      release('a2');
      await waitForTags(['a1', 'b1', 'a2', 'a3'], 'then a3');
      release('a3');
      await waitFor(async () => (await run(queued[1]!)).status === 'success', { timeoutMs: 20_000 });
      expect((await engine.runs.get(admin, b1)).status).toBe('success');
      // Each run of key a started after the previous one finished.
      const { rows } = await engine.test.db.query<{ started_at: Date; finished_at: Date }>(
        `SELECT started_at, finished_at FROM runs WHERE schedule_id = $1 AND concurrency_key = 'a' ORDER BY started_at`,
        [schedule.id],
      );
      for (let i = 1; i < rows.length; i++)
        expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at.getTime());
      agent.requests.length = 0;
    },
  );

  it('a key that renders empty is no key', async () => {
    const schedule = await keyedSchedule('no key', { key: '{{input.customer}}', limit: 1 });
    const id = await trigger(schedule.id, undefined, 'none');
    await waitForTags(['none'], 'the run without a key starts');
    expect((await run(id)).concurrency_key).toBeNull();
    release('none');
    await waitFor(async () => (await run(id)).status === 'success', { timeoutMs: 20_000 });
    agent.requests.length = 0;
  });

  it('skip: a run over its key is recorded skipped (concurrency)', { timeout: 60_000 }, async () => {
    const schedule = await keyedSchedule('skip', { key: 'customer-{{input.customer}}', limit: 1, strategy: 'skip' });
    const first = await trigger(schedule.id, 'a', 's1');
    await waitForTags(['s1'], 'the first run starts');
    const second = await trigger(schedule.id, 'a', 's2');
    const skipped = await waitFor(
      async () => {
        const row = await run(second);
        return row.status === 'skipped' ? row : undefined;
      },
      { timeoutMs: 20_000, message: 'the second run is skipped' },
    );
    expect(skipped.error_kind).toBe('concurrency');
    expect(skipped.concurrency_key).toBe('customer-a');
    expect(tags()).toEqual(['s1']);
    release('s1');
    await waitFor(async () => (await run(first)).status === 'success', { timeoutMs: 20_000 });
    agent.requests.length = 0;
  });

  it('cancel_oldest: a run over its key cancels the oldest running one', { timeout: 60_000 }, async () => {
    const schedule = await keyedSchedule('cancel', { key: '{{input.customer}}', limit: 2, strategy: 'cancel_oldest' });
    const oldest = await trigger(schedule.id, 'a', 'c1');
    await waitForTags(['c1'], 'c1 starts');
    const younger = await trigger(schedule.id, 'a', 'c2');
    await waitForTags(['c1', 'c2'], 'c2 starts beside it (limit 2)');
    const newest = await trigger(schedule.id, 'a', 'c3');
    await waitFor(async () => (await run(oldest)).status === 'cancelled', {
      timeoutMs: 20_000,
      message: 'the oldest run is cancelled',
    });
    await waitForTags(['c1', 'c2', 'c3'], 'the new run starts in the freed slot');
    expect((await run(younger)).status).toBe('running');
    held.delete('c1');
    release('c2');
    release('c3');
    await waitFor(async () => (await run(newest)).status === 'success', { timeoutMs: 20_000 });
    agent.requests.length = 0;
  });

  it(
    'priority: when runs wait for slots, 1 starts first; equal priority keeps due order',
    { timeout: 60_000 },
    async () => {
      // Fill both slots, then queue runs of mixed priority; free one slot at a time.
      const create = (tag: string, priority?: number) =>
        engine.runs.create(admin, { assistant_id: assistantId, input: { tag }, ...(priority && { priority }) });
      const blockers = ['blocker-1', 'blocker-2', 'blocker-3', 'blocker-4'];
      for (const tag of blockers) await create(tag);
      await waitFor(() => tags().length === 4, { timeoutMs: 20_000, message: 'the four slots are taken' });
      expect([...tags()].sort()).toEqual(blockers);
      const order = [
        ['p5', 5],
        ['p3-first', 3],
        ['p1', 1],
        ['p4', 4],
        ['p3-second', undefined],
        ['p2', 2],
      ] as const;
      for (const [tag, priority] of order) {
        const before = Date.now();
        await create(tag, priority);
        // Distinct creation instants, so that "due order" is well defined.
        await waitFor(() => Date.now() > before, { timeoutMs: 1000 });
      }
      const expected = [...tags()];
      release('blocker-1');
      for (const tag of ['p1', 'p2', 'p3-first', 'p3-second', 'p4', 'p5']) {
        expected.push(tag);
        await waitForTags(expected, `${tag} starts next`);
        release(tag);
      }
      for (const tag of blockers.slice(1)) release(tag);
      agent.requests.length = 0;
    },
  );

  it("a workflow's key applies to its runs that got none (namespaced per workflow)", async () => {
    const workflow = await engineWorkflows(engine.test.db).create(admin, {
      name: 'keyed workflow',
      steps: [{ type: 'step', name: 'one', assistant_id: assistantId }],
      concurrency: { key: '{{input.customer}}', limit: 1 },
    });
    const [created] = await engine.test.db.transaction((tx) =>
      createRuns(
        engine.test.db,
        [
          {
            owner_id: localAdminId,
            assistant_id: null,
            workflow_id: workflow.id,
            trigger: 'api',
            not_before: new Date(),
            start_deadline: null,
            input: { customer: 'acme' },
            policy: resolveRunPolicy({}),
            // Created final: this test reads the key, it does not run the workflow.
            status: 'cancelled',
            priority: 2,
            created_at: new Date(),
          },
        ],
        tx,
      ),
    );
    expect(await run(created!.id)).toMatchObject({
      concurrency_scope: `workflow:${workflow.id}`,
      concurrency_key: 'acme',
      concurrency_limit: 1,
      concurrency_strategy: 'queue',
      priority: 2,
    });
  });

  it('validation: key variables, limit, strategy and priority are checked at save', async () => {
    const refused = async (body: Record<string, unknown>, field: string) => {
      const error = await engine.schedules
        .create(admin, { name: `bad ${field}`, assistant_id: assistantId, schedule: { cron: '0 0 1 1 *' }, ...body })
        .then(
          () => undefined,
          (problem: unknown) => problem,
        );
      expect(error).toBeInstanceOf(KairosError);
      expect((error as KairosError).status).toBe(422);
      expect((error as KairosError).code).toBe('invalid_request');
      expect((error as KairosError).message.startsWith(`${field}:`)).toBe(true);
    };
    await refused({ concurrency: { key: '{{date}}', limit: 1 } }, 'concurrency.key');
    await refused({ concurrency: { key: '{{input.customer', limit: 1 } }, 'concurrency.key');
    await refused({ concurrency: { key: '{{input.customer}}', limit: 0 } }, 'concurrency.limit');
    await refused({ concurrency: { key: '{{input.customer}}', limit: 1, strategy: 'drop' } }, 'concurrency.strategy');
    await refused({ priority: 0 }, 'priority');
    await refused({ priority: 2.5 }, 'priority');
    await refused({ priority: 6 }, 'priority');
    const error = await engine.runs.create(admin, { assistant_id: assistantId, priority: 9 }).catch((e: unknown) => e);
    expect((error as KairosError).message).toMatch(/^priority:/);
    // Triggers read the delivery; a schedule's key may not.
    const trigger = (concurrency: unknown) =>
      parseTriggerInput(triggerCreateSchema, {
        name: 't',
        assistant_id: assistantId,
        auth: { type: 'bearer', token: { env: 'HOOK_TOKEN' } },
        concurrency,
      });
    expect(trigger({ key: '{{event.body.customer}}', limit: 1 }).concurrency).toEqual({
      key: '{{event.body.customer}}',
      limit: 1,
      strategy: 'queue',
    });
    expect(() => trigger({ key: '{{event.cookies}}', limit: 1 })).toThrow(/concurrency\.key/);
    await refused({ concurrency: { key: '{{event.body.customer}}', limit: 1 } }, 'concurrency.key');
    const workflows = engineWorkflows(engine.test.db);
    const workflowError = await workflows
      .create(admin, {
        name: 'keyed',
        steps: [{ type: 'step', name: 'one', assistant_id: assistantId }],
        concurrency: { key: '{{schedule.name}}', limit: 1 },
      })
      .catch((e: unknown) => e);
    expect((workflowError as KairosError).message).toMatch(/concurrency/);
  });
});
