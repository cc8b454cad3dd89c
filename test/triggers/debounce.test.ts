import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/app.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { Database } from '../../src/store/database.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { DebounceTimers } from '../../src/triggers/debounce-timers.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';

const secret = 'debounce-hook-secret-4e1b';
process.env.TEST_DEBOUNCE_HOOK_SECRET = secret;

interface Replica {
  kairos: Kairos;
  base: string;
}
interface HookAnswer {
  delivery_id: string;
  debounced?: boolean;
  run_id: string | null;
  replayed: boolean;
  debounce?: { key: string; due_at: string; deliveries: number };
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * Debounce on triggers, over real HTTP servers of the app on real PostgreSQL, with signed
 * deliveries: a burst of one key becomes one run with the last input, on any replica, once.
 */
describe('trigger debounce (postgres)', () => {
  let test: TestDatabase;
  let agent: AssistantServer;
  let assistantId: string;
  let main: Replica;
  const opened: Kairos[] = [];
  let counter = 0;

  /** One replica on its own connection pool to the test schema, serving HTTP on a free port. */
  async function replica(roles: string, db: Database): Promise<Replica> {
    const config = loadConfig({
      KAIROS_LOG_LEVEL: 'silent',
      KAIROS_DEMO: 'false',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_POLL_INTERVAL_MS: '500',
      KAIROS_WORKER_SLOTS: '4',
      KAIROS_ROLES: roles,
    });
    const kairos = await Kairos.create({ config, db });
    opened.push(kairos);
    const base = roles.split(',').includes('api')
      ? `http://127.0.0.1:${(await kairos.listen(0, '127.0.0.1')).port}`
      : '';
    await kairos.start();
    return { kairos, base };
  }

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    agent = await startAssistantServer();
    main = await replica('api,scheduler,worker', test.db);
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'agent',
      kind: 'http',
      config: { url: agent.url },
    });
    assistantId = assistant.id;
  });
  afterAll(async () => {
    for (const kairos of opened.reverse()) await kairos.close();
    await agent?.close();
    await test?.close();
  });

  async function api(at: Replica, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${at.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function createTrigger(body: Record<string, unknown>): Promise<{ id: string; url: string; debounce: unknown }> {
    const response = await api(main, 'POST', '/api/v1/triggers', {
      name: `debounced-${++counter}`,
      assistant_id: assistantId,
      auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'TEST_DEBOUNCE_HOOK_SECRET' } },
      ...body,
    });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    return JSON.parse(text) as { id: string; url: string; debounce: unknown };
  }

  /** A signed delivery (GitHub's scheme), with a delivery id of its own. */
  async function deliver(at: Replica, url: string, payload: unknown): Promise<{ status: number; body: HookAnswer }> {
    const raw = JSON.stringify(payload);
    const response = await fetch(`${at.base}${url}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signGithub(secret, raw),
        'x-github-delivery': randomUUID(),
      },
      body: raw,
    });
    return { status: response.status, body: (await response.json()) as HookAnswer };
  }

  const runsOf = async (triggerId: string) =>
    (
      await test.db.query<{ id: string; input: unknown; metadata: Record<string, unknown> }>(
        'SELECT id, input, metadata FROM runs WHERE trigger_id = $1 ORDER BY created_at, id',
        [triggerId],
      )
    ).rows;
  const pendingOf = async (triggerId: string) =>
    (await test.db.query('SELECT 1 FROM trigger_debounces WHERE trigger_id = $1', [triggerId])).rowCount;
  async function deliveriesOf(triggerId: string) {
    const response = await api(main, 'GET', `/api/v1/triggers/${triggerId}/deliveries?limit=100`);
    expect(response.status).toBe(200);
    return (
      (await response.json()) as {
        data: Array<{ id: string; outcome: string; http_status: number; run_id: string | null; reason: string | null }>;
        total: number;
      }
    ).data;
  }

  it('turns a burst of 20 signed deliveries into one run with the last input, every delivery kept', async () => {
    // Each delivery pushes the due time to its arrival + 4 s: the burst stays one while no gap reaches 4 s.
    const trigger = await createTrigger({ debounce: { period: '4s' } });
    expect(trigger.debounce).toEqual({ period: '4s', period_ms: 4000, key: null });
    const answers: HookAnswer[] = [];
    for (let i = 1; i <= 20; i++) {
      const answer = await deliver(main, trigger.url, { n: i });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      answers.push(answer.body);
    }
    for (const [i, answer] of answers.entries()) {
      expect(answer).toMatchObject({ debounced: true, run_id: null, replayed: false });
      expect(answer.debounce).toMatchObject({ key: '', deliveries: i + 1 });
    }
    expect(new Set(answers.map((a) => a.delivery_id)).size).toBe(20);

    const [run] = await waitFor(
      async () => {
        const runs = await runsOf(trigger.id);
        return runs.length > 0 ? runs : undefined;
      },
      { timeoutMs: 30_000, message: 'the debounced run' },
    );
    expect(run!.input).toEqual({ n: 20 });
    expect(run!.metadata).toMatchObject({
      trigger_id: trigger.id,
      delivery_id: answers[19]!.delivery_id,
      debounce: { key: '', deliveries: 20 },
    });
    // Every delivery was answered before the run: nothing is pending, so no second run can come.
    expect(await pendingOf(trigger.id)).toBe(0);
    expect(await runsOf(trigger.id)).toHaveLength(1);

    const history = await deliveriesOf(trigger.id);
    expect(history).toHaveLength(20);
    expect(history.every((d) => d.outcome === 'debounced' && d.http_status === 202)).toBe(true);
    const linked = history.filter((d) => d.run_id !== null);
    expect(linked.map((d) => [d.id, d.run_id])).toEqual([[answers[19]!.delivery_id, run!.id]]);
    expect(linked[0]!.reason).toContain('the last of 20 debounced deliveries');
    const summary = (await (await api(main, 'GET', `/api/v1/triggers/${trigger.id}`)).json()) as {
      deliveries: Record<string, number>;
    };
    expect(summary.deliveries).toEqual({ debounced: 20, total: 20 });
    // The run itself reaches the agent with the last input.
    await waitFor(() => agent.requests.find((r) => r.body.run_id === run!.id), { timeoutMs: 30_000 });
  });

  it('keeps one debounce per key: two keys give two runs, each with its own last input', async () => {
    const trigger = await createTrigger({ debounce: { period: '2s', key: '{{event.body.repo}}' } });
    for (let i = 1; i <= 3; i++) {
      for (const repo of ['octo/a', 'octo/b']) {
        const answer = await deliver(main, trigger.url, { repo, n: i });
        expect(answer.status).toBe(202);
        expect(answer.body.debounce).toMatchObject({ key: repo, deliveries: i });
      }
    }
    const runs = await waitFor(
      async () => {
        const found = await runsOf(trigger.id);
        return found.length === 2 && (await pendingOf(trigger.id)) === 0 ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'two runs, one per key' },
    );
    expect(runs.map((r) => r.input).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { repo: 'octo/a', n: 3 },
      { repo: 'octo/b', n: 3 },
    ]);
    const history = await deliveriesOf(trigger.id);
    expect(history).toHaveLength(6);
    expect(history.filter((d) => d.run_id !== null)).toHaveLength(2);
  });

  it('starts separate runs for deliveries further apart than the period', async () => {
    const trigger = await createTrigger({ debounce: { period: '300ms' } });
    const first = await deliver(main, trigger.url, { n: 1 });
    expect(first.body.debounced).toBe(true);
    // The second delivery is sent only once the first one's run exists: more than the period later.
    await waitFor(async () => (await runsOf(trigger.id)).length === 1, { timeoutMs: 30_000 });
    const second = await deliver(main, trigger.url, { n: 2 });
    expect(second.body.debounce).toMatchObject({ deliveries: 1 });
    const runs = await waitFor(
      async () => {
        const found = await runsOf(trigger.id);
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(runs.map((r) => r.input)).toEqual([{ n: 1 }, { n: 2 }]);
    const history = await deliveriesOf(trigger.id);
    expect(history.map((d) => d.run_id !== null)).toEqual([true, true]);
  });

  it('answers a resent delivery id as a replay, without joining the burst again', async () => {
    const trigger = await createTrigger({ debounce: { period: '1s' } });
    const raw = JSON.stringify({ n: 1 });
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': signGithub(secret, raw),
      'x-github-delivery': randomUUID(),
    };
    const send = async () => {
      const response = await fetch(`${main.base}${trigger.url}`, { method: 'POST', headers, body: raw });
      return { status: response.status, body: (await response.json()) as HookAnswer };
    };
    const first = await send();
    expect(first.status).toBe(202);
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true });
    const runs = await waitFor(
      async () => {
        const found = await runsOf(trigger.id);
        return found.length === 1 && (await pendingOf(trigger.id)) === 0 ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(runs[0]!.metadata).toMatchObject({ debounce: { deliveries: 1 } });
  });

  it('starts each due debounce once when two replicas claim at the same moment', async () => {
    // An api-only replica holds the deliveries: nothing claims them until the two claimers below.
    const receiver = await replica('api', test.connectAgain());
    // Due in 10 minutes: only the claimers below, whose clock is an hour ahead, find them due.
    const trigger = await createTrigger({ debounce: { period: '10m', key: '{{event.body.customer}}' } });
    const customers = Array.from({ length: 12 }, (_, i) => `c${i}`);
    for (const customer of customers) {
      for (let n = 1; n <= 2; n++) expect((await deliver(receiver, trigger.url, { customer, n })).status).toBe(202);
    }
    const later: Clock = { now: () => systemClock.now() + 3_600_000, sleep: systemClock.sleep };
    const logger = createLogger('silent');
    const claimers = [test.connectAgain(), test.connectAgain()].map(
      (db) =>
        new DebounceTimers({ db, clock: later, logger, pollIntervalMs: 1000, startDeadlineMs: 600_000, batchSize: 1 }),
    );
    await Promise.all([claimers[0]!.tick(), claimers[1]!.tick(), claimers[0]!.tick(), claimers[1]!.tick()]);
    await waitFor(async () => (await pendingOf(trigger.id)) === 0, { timeoutMs: 30_000 });
    const runs = await runsOf(trigger.id);
    expect(runs).toHaveLength(12);
    expect(runs.map((r) => (r.input as { customer: string }).customer).sort()).toEqual([...customers].sort());
    expect(runs.every((r) => (r.input as { n: number }).n === 2)).toBe(true);
    const history = await deliveriesOf(trigger.id);
    expect(history).toHaveLength(24);
    expect(history.filter((d) => d.run_id !== null)).toHaveLength(12);
  });

  it('starts no run for a trigger disabled before its debounce was due, and says so in the history', async () => {
    const trigger = await createTrigger({ debounce: { period: '10m' } });
    const held = await deliver(main, trigger.url, { n: 1 });
    expect(held.status).toBe(202);
    expect((await api(main, 'PATCH', `/api/v1/triggers/${trigger.id}`, { enabled: false })).status).toBe(200);
    const later: Clock = { now: () => systemClock.now() + 3_600_000, sleep: systemClock.sleep };
    const claimer = new DebounceTimers({
      db: test.db,
      clock: later,
      logger: createLogger('silent'),
      pollIntervalMs: 1000,
      startDeadlineMs: 600_000,
    });
    expect(await claimer.tick()).toEqual([]);
    expect(await pendingOf(trigger.id)).toBe(0);
    expect(await runsOf(trigger.id)).toHaveLength(0);
    const [delivery] = await deliveriesOf(trigger.id);
    expect(delivery).toMatchObject({ id: held.body.delivery_id, outcome: 'debounced', run_id: null });
    expect(delivery!.reason).toContain('the trigger was disabled');
  });

  it('fires a pending debounce after a restart, on new services over the same schema', async () => {
    const trigger = await createTrigger({ debounce: { period: '500ms' } });
    // A replica without the scheduler role receives the burst, and stops before anything claims it.
    const before = await replica('api', test.connectAgain());
    for (let n = 1; n <= 3; n++) expect((await deliver(before, trigger.url, { n })).status).toBe(202);
    await before.kairos.close();
    expect(await pendingOf(trigger.id)).toBe(1);
    // A fresh replica (its own pool, services and timers) finds the pending row and starts the run.
    const after = await replica('scheduler', test.connectAgain());
    expect(after.kairos).toBeDefined();
    const runs = await waitFor(
      async () => {
        const found = await runsOf(trigger.id);
        return found.length === 1 ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'the run after the restart' },
    );
    expect(runs[0]!.input).toEqual({ n: 3 });
    expect(await pendingOf(trigger.id)).toBe(0);
  });

  it('refuses a bad debounce at save with invalid_debounce, and shows, changes and clears it', async () => {
    const refused = async (debounce: unknown, field: string) => {
      const response = await api(main, 'POST', '/api/v1/triggers', {
        name: `bad-${++counter}`,
        assistant_id: assistantId,
        auth: { type: 'bearer', token: { env: 'TEST_DEBOUNCE_HOOK_SECRET' } },
        debounce,
      });
      const body = (await response.json()) as { error: { code: string; details: Record<string, unknown> } };
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(body.error.code).toBe('invalid_debounce');
      expect(body.error.details.field).toBe(field);
      return body.error;
    };
    await refused({ period: '0s' }, 'debounce.period');
    await refused({ period: '25h' }, 'debounce.period');
    await refused({ period: 'soon' }, 'debounce.period');
    await refused({ period: -1 }, 'debounce.period');
    await refused({ key: '{{event.body.x}}' }, 'debounce.period');
    await refused({ period: '30s', every: 2 }, 'debounce');
    expect((await refused({ period: '30s', key: '{{input.customer}}' }, 'debounce.key')).details.variable).toBe(
      'input.customer',
    );
    await refused('30s', 'debounce');
    expect((await (await api(main, 'GET', '/api/v1/triggers?limit=1000')).text()).includes('"bad-')).toBe(false);

    const trigger = await createTrigger({ debounce: { period: 90, key: '{{event.body.customer}}' } });
    expect(trigger.debounce).toEqual({ period: '90s', period_ms: 90_000, key: '{{event.body.customer}}' });
    const patch = async (body: unknown) => {
      const response = await api(main, 'PATCH', `/api/v1/triggers/${trigger.id}`, body);
      return {
        status: response.status,
        body: (await response.json()) as { debounce: unknown; error?: { code: string } },
      };
    };
    expect((await patch({ debounce: { period: '5m' } })).body.debounce).toEqual({
      period: '5m',
      period_ms: 300_000,
      key: null,
    });
    const bad = await patch({ debounce: { period: '2d' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe('invalid_debounce');
    expect((await patch({ debounce: null })).body.debounce).toBeNull();
    // Without debounce a delivery runs at once, as before.
    const answer = await deliver(main, trigger.url, { customer: 'x' });
    expect(answer.status).toBe(202);
    expect(answer.body.debounced).toBeUndefined();
    expect(answer.body.run_id).not.toBeNull();
  });
});
