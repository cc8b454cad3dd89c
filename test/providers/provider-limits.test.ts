import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { createApiApp } from '../../src/api/app.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { estimateTokens } from '../../src/providers/provider-window.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { insertProvider, type NewProvider } from '../../src/store/providers.ts';
import type { RunRow } from '../../src/store/runs.ts';
import { admin, createEngine, logger, ManualClock, type Engine } from '../engine/harness.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** A model call as the fake provider saw it: when (on the test's clock), its tokens, its model and key. */
interface SeenCall {
  at: number;
  tokens: number;
  model: string;
  authorization: string | undefined;
  status: number;
}

/**
 * A local OpenAI-compatible model server that counts requests and tokens per minute. Its answers
 * report as usage exactly the tokens Kairos estimates for the request (so the window's count and
 * the server's agree); `behave` may make a request fail (a 429) or take a while.
 */
async function startModelServer(clock: Clock) {
  const calls: SeenCall[] = [];
  let open = 0;
  let peak = 0;
  let behave: (index: number) => { status?: number; headers?: Record<string, string>; delayMs?: number } = () => ({});
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const tokens = estimateTokens(body);
      const how = behave(calls.length);
      const call: SeenCall = {
        at: clock.now(),
        tokens,
        model: String(body.model),
        authorization: req.headers.authorization,
        status: how.status ?? 200,
      };
      calls.push(call);
      if (how.status) {
        res.writeHead(how.status, { 'content-type': 'application/json', ...how.headers });
        res.end(JSON.stringify({ error: { message: 'Rate limit reached, slow down', type: 'rate_limit' } }));
        return;
      }
      peak = Math.max(peak, ++open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            model: body.model,
            choices: [{ message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: tokens - 10, completion_tokens: 10, total_tokens: tokens },
          }),
        );
      }, how.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    peak: () => peak,
    behave(fn: typeof behave) {
      behave = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;

/** The most calls (and tokens) any 60-second window holds, over the calls the server answered. */
function busiestWindow(calls: readonly SeenCall[]): { requests: number; tokens: number } {
  let requests = 0;
  let tokens = 0;
  for (const call of calls) {
    const inWindow = calls.filter((x) => x.at > call.at - 60_000 && x.at <= call.at);
    requests = Math.max(requests, inWindow.length);
    tokens = Math.max(
      tokens,
      inWindow.reduce((sum, x) => sum + x.tokens, 0),
    );
  }
  return { requests, tokens };
}

process.env.PROVIDER_TEST_KEY = 'sk-test-provider-key';

describe('provider limits shared by two assistants on two replicas (postgres)', () => {
  let engine: Engine | undefined;
  let model: ModelServer | undefined;
  afterEach(async () => {
    await engine?.close();
    await model?.close();
    engine = model = undefined;
  });

  /** An engine (two replicas), the model server, a provider over it and two llm assistants naming it. */
  async function setUp(limits: Partial<NewProvider>, clock: Clock = systemClock) {
    const e = (engine = await createEngine('postgres', {
      clock,
      worker: { leaseMs: 600_000, startDeadlineMs: 1_000 },
    }));
    const other = e.replica();
    const m = (model = await startModelServer(clock));
    const provider = (await insertProvider(e.db, {
      ownerId: localAdminId,
      name: 'shared',
      baseUrl: m.baseUrl,
      apiKey: { env: 'PROVIDER_TEST_KEY' },
      rpm: null,
      tpm: null,
      maxConcurrent: null,
      ...limits,
    }))!;
    const assistants = [];
    for (const name of ['writer', 'reviewer']) {
      // No base_url or key of their own: both come from the provider.
      assistants.push(
        await insertAssistant(e.db, {
          ownerId: localAdminId,
          name,
          kind: 'llm',
          config: { model: `model-${name}`, max_tokens: 10 },
          provider: 'shared',
        }),
      );
    }
    return { e, other, m, provider, assistants };
  }

  async function createRuns(e: Engine, assistantIds: string[], perAssistant: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < perAssistant; i++)
      for (const id of assistantIds) ids.push((await e.runs.create(admin, { assistant_id: id, input: { i } })).id);
    return ids;
  }

  async function finished(e: Engine, ids: string[]): Promise<RunRow[]> {
    return waitFor(
      async () => {
        const { rows } = await e.db.query<RunRow>('SELECT * FROM runs WHERE id = ANY($1::uuid[])', [ids]);
        return rows.every((row) => !['pending', 'running'].includes(row.status)) ? rows : undefined;
      },
      { timeoutMs: 40_000, message: 'the runs to finish' },
    );
  }

  it('rpm holds across both assistants and replicas: no 60-second window holds more than 3 requests', async () => {
    const clock = new ManualClock(Date.now());
    const { e, other, m, assistants } = await setUp({ rpm: 3 }, clock);
    const ids = await createRuns(
      e,
      assistants.map((a) => a.id),
      4,
    );
    await e.worker.start();
    await other.worker.start();
    // Each minute of the test's clock admits 3 more requests; the clock moves once they are in.
    for (const expected of [3, 6, 8]) {
      await waitFor(() => m.calls.length >= expected, { timeoutMs: 30_000, message: `${expected} requests` });
      if (expected < 8) clock.advance(61_000);
    }
    const rows = await finished(e, ids);
    expect(rows.map((r) => r.status)).toEqual(Array(8).fill('success'));
    expect(m.calls).toHaveLength(8);
    expect(busiestWindow(m.calls).requests).toBe(3);
    expect(new Set(m.calls.map((c) => c.model))).toEqual(new Set(['model-writer', 'model-reviewer']));
  });

  it('tpm holds across both assistants and replicas: no 60-second window holds more tokens than tpm', async () => {
    const clock = new ManualClock(Date.now());
    const perRequest = estimateTokens({ messages: [{ role: 'user', content: '{"i":0}' }], max_tokens: 10 });
    const { e, other, m, assistants } = await setUp({ tpm: 2 * perRequest }, clock);
    const ids = await createRuns(
      e,
      assistants.map((a) => a.id),
      3,
    );
    await e.worker.start();
    await other.worker.start();
    for (const expected of [2, 4, 6]) {
      await waitFor(() => m.calls.length >= expected, { timeoutMs: 30_000, message: `${expected} requests` });
      if (expected < 6) clock.advance(61_000);
    }
    const rows = await finished(e, ids);
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('success'));
    expect(m.calls.every((c) => c.tokens === perRequest)).toBe(true);
    expect(busiestWindow(m.calls).tokens).toBe(2 * perRequest);
    // The window's ledger agrees with the server's count (corrected from usage).
    const { rows: ledger } = await e.db.query<{ tokens: number }>('SELECT tokens FROM provider_calls WHERE at > $1', [
      new Date(clock.now() - 60_000),
    ]);
    expect(ledger.reduce((sum, r) => sum + r.tokens, 0)).toBe(2 * perRequest);
  });

  it('max_concurrent holds across both assistants and replicas; held runs never end as capacity', async () => {
    const { e, other, m, assistants } = await setUp({ maxConcurrent: 2 });
    m.behave(() => ({ delayMs: 150 }));
    const ids = await createRuns(
      e,
      assistants.map((a) => a.id),
      5,
    );
    await e.worker.start();
    await other.worker.start();
    const rows = await finished(e, ids);
    // The start deadline (1 s) passed for many of them while they waited: not a capacity error.
    expect(rows.map((r) => r.status)).toEqual(Array(10).fill('success'));
    expect(m.peak()).toBeLessThanOrEqual(2);
    for (const row of rows) {
      const at = row.started_at!.getTime();
      const overlapping = rows.filter((x) => x.started_at!.getTime() <= at && x.finished_at!.getTime() > at);
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
    expect(rows.every((r) => r.held_reason === null)).toBe(true);
  });

  it('a 429 with Retry-After pauses the provider once: another assistant waits, the run retries without an attempt', async () => {
    const { e, other, m, provider, assistants } = await setUp({});
    const [writer, reviewer] = assistants;
    m.behave((index) => (index === 0 ? { status: 429, headers: { 'retry-after': '4' } } : {}));
    const api = createApiApp({
      config: loadConfig({ KAIROS_LOG_LEVEL: 'silent' }),
      db: e.db,
      logger,
      replicaId: 'test',
      services: { runs: e.runs },
    });
    const runOf = async (id: string) =>
      (await (await api.request(`/api/v1/runs/${id}`)).json()) as {
        status: string;
        held_reason: string | null;
        attempt: number;
      };

    const [first] = await createRuns(e, [writer!.id], 1);
    await e.worker.start();
    await other.worker.start();
    await waitFor(() => m.calls.length >= 1, { message: 'the 429' });
    const paused = await waitFor(async () => {
      const { rows } = await e.db.query<{ paused_until: Date | null }>(
        'SELECT paused_until FROM providers WHERE id = $1',
        [provider.id],
      );
      return rows[0]?.paused_until;
    });
    // The run that got it waits, pending, held by its provider, without using an attempt.
    await waitFor(async () => {
      const run = await runOf(first!);
      return run.status === 'pending' && run.held_reason === 'provider_limit' && run.attempt === 1;
    });
    // Another assistant's run waits for the pause too, and says why.
    const [second] = await createRuns(e, [reviewer!.id], 1);
    await waitFor(async () => {
      const run = await runOf(second!);
      return run.status === 'pending' && run.held_reason === 'provider_limit';
    });
    expect(m.calls).toHaveLength(1);

    const rows = await finished(e, [first!, second!]);
    expect(rows.map((r) => [r.status, r.attempt])).toEqual([
      ['success', 1],
      ['success', 1],
    ]);
    expect(m.calls.map((c) => c.status)).toEqual([429, 200, 200]);
    for (const call of m.calls.slice(1)) expect(call.at).toBeGreaterThanOrEqual(paused.getTime());
    // Both took the provider's key (the assistants have none of their own).
    expect(m.calls.every((c) => c.authorization === 'Bearer sk-test-provider-key')).toBe(true);
    const { rows: events } = await e.db.query<{ kind: string }>(
      'SELECT kind FROM run_events WHERE run_id = $1 ORDER BY seq',
      [first],
    );
    expect(events.map((x) => x.kind)).toContain('provider_paused');
    expect((await runOf(first!)).held_reason).toBeNull();
  });
});
