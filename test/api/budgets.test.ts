import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { systemClock } from '../../src/clock.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { agentConfig, silentLogger } from '../agents/fixtures.ts';
import { startChatToolsServer, type ChatToolsServer } from '../helpers/chat-tools-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// Budgets through the API (docs/gates.md "Budgets"): validation at save, tokens_per_run inside a
// run (an llm tool loop, an http agent's reported usage), a user's budget set by an admin, and
// the spend against each budget in GET /schedules/{id}/usage.
describe('budgets through the API (postgres)', () => {
  let h: ApiHarness;
  let worker: WorkerPool;
  let model: ChatToolsServer;
  let agent: ReturnType<typeof createServer>;
  let agentUrl = '';
  let agentTokens = 500;
  let admin: Caller;
  let member: Caller;
  let counter = 0;

  beforeAll(async () => {
    h = await createApiHarness('postgres', { KAIROS_HTTP_ALLOW_PRIVATE: 'true' }, { services: true });
    admin = await h.caller('admin');
    member = await h.caller('member');
    // A model that never stops calling a tool (15 tokens an answer): only a budget ends the loop.
    model = await startChatToolsServer(() => ({ calls: [{ name: 'noop', arguments: {} }] }));
    agent = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ answer: 'done', usage: { total_tokens: agentTokens } }));
      });
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    agentUrl = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/run`;
    const execution = createAssistantExecution({ db: h.db, logger: silentLogger, config: agentConfig() });
    worker = new WorkerPool({
      db: h.db,
      clock: systemClock,
      logger: silentLogger,
      workerId: 'budgets-api',
      config: { slots: 2, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 2000, startDeadlineMs: 300_000 },
      pollIntervalMs: 200,
      execution,
    });
    await worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await model?.close();
    agent?.closeAllConnections();
    await new Promise<void>((resolve) => (agent ? agent.close(() => resolve()) : resolve()));
    await h?.close();
  });

  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const createAssistant = async (who: Caller, body: Record<string, unknown>) =>
    json<{ id: string; budget: unknown }>(
      await h.call('POST', '/api/v1/assistants', { key: who.key, body: { name: `a-${++counter}`, ...body } }),
      201,
    );
  const httpAssistant = (who: Caller, extra: Record<string, unknown> = {}) =>
    createAssistant(who, { kind: 'http', config: { url: agentUrl }, ...extra });
  const createSchedule = async (who: Caller, body: Record<string, unknown>) =>
    json<{ id: string; budget: unknown }>(
      await h.call('POST', '/api/v1/schedules', {
        key: who.key,
        body: { name: `s-${++counter}`, schedule: { cron: '0 0 1 1 *' }, ...body },
      }),
      201,
    );
  const trigger = async (who: Caller, scheduleId: string) =>
    (await json<{ id: string }>(await h.call('POST', `/api/v1/schedules/${scheduleId}/trigger`, { key: who.key }), 201))
      .id;
  const settled = (id: string) =>
    waitFor(
      async () => {
        const run = await findRun(h.db, id);
        return run && !['pending', 'running'].includes(run.status) ? run : undefined;
      },
      { timeoutMs: 20_000, message: `run ${id} to settle` },
    );

  it('refuses a budget that is not one, naming the field and what to write (422, nothing saved)', async () => {
    const { id: assistantId } = await httpAssistant(admin);
    const cases: Array<[unknown, string]> = [
      [{ tokens_per_day: -5, on_exceed: 'stop' }, 'budget.tokens_per_day'],
      [{ tokens_per_day: 1.5, on_exceed: 'stop' }, 'budget.tokens_per_day'],
      [{ usd_per_day: 0, on_exceed: 'stop' }, 'budget.usd_per_day'],
      [{ tokens_per_day: 100 }, 'budget.on_exceed'],
      [{ tokens_per_day: 100, on_exceed: 'explode' }, 'budget.on_exceed'],
      [{ tokens_per_week: 100, on_exceed: 'stop' }, 'budget.tokens_per_week'],
      [{ on_exceed: 'stop' }, 'budget'],
    ];
    for (const [budget, field] of cases) {
      const response = await h.call('POST', '/api/v1/schedules', {
        key: admin.key,
        body: { name: `bad-${++counter}`, assistant_id: assistantId, schedule: '0 0 1 1 *', budget },
      });
      expect(response.status, JSON.stringify(budget)).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect((error.details as { field: string }).field, JSON.stringify(budget)).toBe(field);
    }
    const bad = await h.call('POST', '/api/v1/assistants', {
      key: admin.key,
      body: { name: 'bad-budget', kind: 'http', config: { url: agentUrl }, budget: { usd_per_month: 5 } },
    });
    expect(bad.status).toBe(422);
    expect((await errorOf(bad)).message).toContain('on_exceed');
    const { rows } = await h.db.query(
      "SELECT 1 FROM schedules WHERE name LIKE 'bad-%' UNION ALL SELECT 1 FROM assistants WHERE name = 'bad-budget'",
    );
    expect(rows).toHaveLength(0);
  });

  it('schedules upserted by name (as declared in code) carry a budget, and a changed budget is an update', async () => {
    const { id: assistantId } = await httpAssistant(admin);
    const body = (budget: unknown) => ({ assistant_id: assistantId, schedule: '0 8 * * *', budget });
    const created = await json<{ result: string; schedule: { budget: unknown } }>(
      await h.call('PUT', '/api/v1/schedules/by-name/declared-budget?if_exists=update', {
        key: admin.key,
        body: body({ tokens_per_day: 1000, on_exceed: 'pause' }),
      }),
      201,
    );
    expect(created.schedule.budget).toEqual({ tokens_per_day: 1000, on_exceed: 'pause' });
    const same = await json<{ result: string }>(
      await h.call('PUT', '/api/v1/schedules/by-name/declared-budget?if_exists=update', {
        key: admin.key,
        body: body({ on_exceed: 'pause', tokens_per_day: 1000 }),
      }),
      200,
    );
    expect(same.result).toBe('unchanged');
    const changed = await json<{ result: string; changed: string[] }>(
      await h.call('PUT', '/api/v1/schedules/by-name/declared-budget?if_exists=update', {
        key: admin.key,
        body: body({ tokens_per_day: 2000, on_exceed: 'ask' }),
      }),
      200,
    );
    expect(changed).toMatchObject({ result: 'updated', changed: ['budget'] });
  });

  it('tokens_per_run stops an llm tool loop: no further model call, error budget with the spend', async () => {
    const assistant = await createAssistant(admin, {
      kind: 'llm',
      config: { base_url: model.baseUrl, model: 'loop-model', request_approval: true },
      budget: { tokens_per_run: 40, on_exceed: 'stop' },
    });
    expect(assistant.budget).toEqual({ tokens_per_run: 40, on_exceed: 'stop' });
    const before = model.requests.length;
    const run = await json<{ id: string }>(
      await h.call('POST', '/api/v1/runs', { key: admin.key, body: { assistant_id: assistant.id, input: 'go' } }),
      201,
    );
    const done = await settled(run.id);
    // 15 tokens an answer: 15, 30, 45 ≥ 40 after the third call, and no fourth.
    expect(model.requests.length - before).toBe(3);
    expect(done).toMatchObject({ status: 'error', error_kind: 'budget' });
    expect(done.error).toContain('45 tokens');
    expect(done.error).toContain('40 tokens per run');
    expect(done.usage).toMatchObject({ total_tokens: 45 });
  });

  it("tokens_per_run checks an http agent's reported usage after the call", async () => {
    const { id: assistantId } = await httpAssistant(admin);
    const schedule = await createSchedule(admin, {
      assistant_id: assistantId,
      budget: { tokens_per_run: 100, on_exceed: 'stop' },
    });
    agentTokens = 500;
    const done = await settled(await trigger(admin, schedule.id));
    expect(done).toMatchObject({ status: 'error', error_kind: 'budget' });
    expect(done.error).toContain('500 tokens');
    expect(done.usage).toMatchObject({ total_tokens: 500 });
    agentTokens = 50;
    expect((await settled(await trigger(admin, schedule.id))).status).toBe('success');
  });

  it("a user's budget is set by an admin only, and holds every run of that user; /usage shows each budget's spend", async () => {
    const forbidden = await h.call('PATCH', `/api/v1/users/${member.userId}`, {
      key: member.key,
      body: { budget: { tokens_per_day: 100, on_exceed: 'stop' } },
    });
    expect(forbidden.status).toBe(403);
    const invalid = await h.call('PATCH', `/api/v1/users/${member.userId}`, {
      key: admin.key,
      body: { budget: { tokens_per_day: 0, on_exceed: 'stop' } },
    });
    expect(invalid.status).toBe(422);
    const user = await json<{ budget: unknown }>(
      await h.call('PATCH', `/api/v1/users/${member.userId}`, {
        key: admin.key,
        body: { budget: { tokens_per_day: 100, on_exceed: 'stop' } },
      }),
      200,
    );
    expect(user.budget).toEqual({ tokens_per_day: 100, on_exceed: 'stop' });

    const { id: assistantId } = await httpAssistant(member, { budget: { tokens_per_day: 10_000, on_exceed: 'ask' } });
    const schedule = await createSchedule(member, {
      assistant_id: assistantId,
      budget: { usd_per_month: 50, tokens_per_day: 5000, on_exceed: 'pause' },
    });
    agentTokens = 70;
    expect((await settled(await trigger(member, schedule.id))).status).toBe('success');
    expect((await settled(await trigger(member, schedule.id))).status).toBe('success');
    const third: RunRow = await settled(await trigger(member, schedule.id));
    expect(third).toMatchObject({ status: 'skipped', error_kind: 'budget' });
    expect(third.error).toContain('the user');
    expect(third.error).toContain('140 tokens of its 100 tokens per day');

    const usage = await json<{ budgets: Array<Record<string, unknown>> }>(
      await h.call('GET', `/api/v1/schedules/${schedule.id}/usage`, { key: member.key }),
      200,
    );
    expect(usage.budgets).toEqual([
      {
        scope: 'schedule',
        period: 'day',
        limit: 5000,
        spent: 140,
        unit: 'tokens',
        key: 'tokens_per_day',
        on_exceed: 'pause',
      },
      {
        scope: 'schedule',
        period: 'month',
        limit: 50,
        spent: 0,
        unit: 'usd',
        key: 'usd_per_month',
        on_exceed: 'pause',
      },
      {
        scope: 'assistant',
        period: 'day',
        limit: 10_000,
        spent: 140,
        unit: 'tokens',
        key: 'tokens_per_day',
        on_exceed: 'ask',
      },
      {
        scope: 'user',
        period: 'day',
        limit: 100,
        spent: 140,
        unit: 'tokens',
        key: 'tokens_per_day',
        on_exceed: 'stop',
      },
    ]);

    // Removing the budget (null) lets the user's runs start again.
    const cleared = await json<{ budget: unknown }>(
      await h.call('PATCH', `/api/v1/users/${member.userId}`, { key: admin.key, body: { budget: null } }),
      200,
    );
    expect(cleared.budget).toBeNull();
    expect((await settled(await trigger(member, schedule.id))).status).toBe('success');
  });
});
