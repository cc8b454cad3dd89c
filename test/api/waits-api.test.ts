import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitingForOf, type WaitRequest } from '../../src/runs/wait.ts';
import { Kairos, KairosApiError } from '../../src/sdk/index.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { parkRun } from '../../src/store/park-run.ts';
import { findRun, insertRuns } from '../../src/store/runs.ts';
import { findWait, insertWait } from '../../src/store/waits.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, type ApiHarness, type Caller } from './harness.ts';

// POST /api/v1/runs/{id}/decision, GET /api/v1/approvals, POST /api/v1/events (docs/waits.md),
// over HTTP in process and through the SDK, on runs parked the way a worker parks them.
describe.each(databaseKinds)('waits API (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let bob: Caller;
  let carol: Caller;
  let viewer: Caller;
  let assistantId: string;
  let worker = 0;
  beforeAll(async () => {
    h = await createApiHarness(kind, {}, { services: true });
    [alice, bob, carol, viewer] = [
      await h.caller('member'),
      await h.caller('member'),
      await h.caller('member'),
      await h.caller('viewer'),
    ];
    assistantId = (await insertAssistant(h.db, { ownerId: alice.userId, name: 'a', kind: 'http', config: {} })).id;
  }, 120_000);
  afterAll(async () => h?.close());

  /** A run of alice's, claimed and parked on a wait the way a worker does it. */
  async function parked(wait: Partial<WaitRequest>): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await insertRuns(h.db, [
      {
        id,
        schedule_id: null,
        assistant_id: assistantId,
        thread_id: null,
        owner_id: alice.userId,
        trigger: 'api',
        scheduled_for: null,
        not_before: new Date(now - 1000),
        start_deadline: null,
        run_number: null,
        input: { order: 'A1' },
        metadata: {},
        max_attempts: 1,
        timeout_ms: null,
        retry_backoff_ms: 1000,
        retry_backoff_factor: 2,
        retry_backoff_max_ms: 60_000,
        ignore_overlap: false,
        created_at: new Date(now - 1000),
      },
    ]);
    const workerId = `w${++worker}`;
    const claimed = await claimRuns(h.db, { now, limit: 10, workerId, leaseMs: 30_000 });
    expect(claimed.started.map((r) => r.id)).toContain(id);
    const row = (await insertWait(
      h.db,
      { runId: id, workerId, attempt: 1 },
      {
        nodeKey: 'steps[1]',
        nodeName: 'approve',
        kind: 'approval',
        since: new Date(now),
        until: new Date(now + 86_400_000),
        prompt: 'Publish?',
        approvers: [],
        eventName: null,
        match: null,
        lookbackMs: 0,
        onTimeout: 'reject',
        ...wait,
      },
    ))!;
    expect(await parkRun(h.db, { id, attempt: 1, workerId }, row, waitingForOf(row), new Date(now))).toBe('waiting');
    return id;
  }
  const decide = (id: string, key: string, body: unknown) =>
    h.call('POST', `/api/v1/runs/${id}/decision`, { key, body });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

  it('an approver decides: 200 with the run back to pending; a second decision is 409 already_decided', async () => {
    const id = await parked({ approvers: [bob.userId] });
    const listed = await h.call('GET', '/api/v1/approvals', { key: bob.key });
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as { data: Array<Record<string, unknown>>; total: number };
    expect(page.data.find((a) => a.run_id === id)).toMatchObject({
      node: 'approve',
      prompt: 'Publish?',
      status: 'pending',
      assistant_id: assistantId,
      workflow_id: null,
      schedule_id: null,
    });
    // Carol is neither owner, approver nor admin: not listed, and 403 with nothing changed.
    const carols = (await (await h.call('GET', '/api/v1/approvals', { key: carol.key })).json()) as {
      data: Array<{ run_id: string }>;
    };
    expect(carols.data.map((a) => a.run_id)).not.toContain(id);
    const refused = await decide(id, carol.key, { approved: true });
    expect(refused.status).toBe(403);
    expect((await findWait(h.db, id, 'steps[1]'))!.resolved_at).toBeNull();

    const ok = await decide(id, bob.key, { approved: true, comment: 'fine', data: { n: 1 } });
    expect(ok.status).toBe(200);
    const run = (await ok.json()) as { id: string; status: string; waiting_for: unknown };
    expect([run.id, run.status, run.waiting_for]).toEqual([id, 'pending', null]);
    expect((await findWait(h.db, id, 'steps[1]'))!.result).toMatchObject({
      approved: true,
      comment: 'fine',
      by: bob.userId,
      data: { n: 1 },
      timed_out: false,
    });
    const again = await decide(id, alice.key, { approved: false });
    expect(again.status).toBe(409);
    expect(await errorCode(again)).toBe('already_decided');
    const decided = (await (await h.call('GET', '/api/v1/approvals?status=decided', { key: bob.key })).json()) as {
      data: Array<{ run_id: string; decision: unknown }>;
    };
    expect(decided.data.find((a) => a.run_id === id)?.decision).toMatchObject({ approved: true });
  });

  it('two decisions at once: exactly one 200, the other 409 already_decided', async () => {
    for (let i = 0; i < 3; i++) {
      const id = await parked({ approvers: ['role:member'] });
      const answers = await Promise.all([
        decide(id, bob.key, { approved: true }),
        decide(id, carol.key, { approved: false }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = answers.find((r) => r.status === 409)!;
      expect(await errorCode(loser)).toBe('already_decided');
      const { rows } = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM run_events WHERE run_id = $1 AND kind = 'decision'`,
        [id],
      );
      expect(rows[0]!.n).toBe(1);
    }
  });

  it('409 not_waiting without an approval wait or once cancelled; 404 for an unknown run; 422 naming a bad field', async () => {
    const eventWait = await parked({ kind: 'event', eventName: 'x', prompt: null, until: null });
    const none = await decide(eventWait, alice.key, { approved: true });
    expect([none.status, await errorCode(none)]).toEqual([409, 'not_waiting']);
    const cancelled = await parked({});
    expect((await h.call('POST', `/api/v1/runs/${cancelled}/cancel`, { key: alice.key })).status).toBe(200);
    expect((await findRun(h.db, cancelled))!.status).toBe('cancelled');
    const late = await decide(cancelled, alice.key, { approved: true });
    expect([late.status, await errorCode(late)]).toEqual([409, 'not_waiting']);
    expect((await decide(randomUUID(), alice.key, { approved: true })).status).toBe(404);
    expect((await decide('not-a-run', alice.key, { approved: true })).status).toBe(404);
    const bad = await decide(eventWait, alice.key, { approved: 'yes' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('approved');
  });

  it('POST /api/v1/events: 202 with the runs it woke (the sender’s own runs), viewers may not send', async () => {
    const id = await parked({ kind: 'event', eventName: 'paid', match: 'event.key == input.order', prompt: null });
    const other = await h.call('POST', '/api/v1/events', { key: alice.key, body: { name: 'paid', key: 'B2' } });
    expect([other.status, await other.json()]).toMatchObject([202, { matched: [] }]);
    // Bob is not the run's owner: his event does not wake alice's run.
    const bobs = await h.call('POST', '/api/v1/events', { key: bob.key, body: { name: 'paid', key: 'A1' } });
    expect(((await bobs.json()) as { matched: string[] }).matched).toEqual([]);
    const sent = await h.call('POST', '/api/v1/events', {
      key: alice.key,
      body: { name: 'paid', key: 'A1', payload: { amount: 3 } },
    });
    expect(sent.status).toBe(202);
    expect(((await sent.json()) as { matched: string[] }).matched).toEqual([id]);
    expect((await findRun(h.db, id))!.status).toBe('pending');
    expect((await findWait(h.db, id, 'steps[1]'))!.result).toMatchObject({
      name: 'paid',
      key: 'A1',
      payload: { amount: 3 },
    });
    expect((await h.call('POST', '/api/v1/events', { key: viewer.key, body: { name: 'paid' } })).status).toBe(403);
    const missing = await h.call('POST', '/api/v1/events', { key: alice.key, body: { payload: 1 } });
    expect(missing.status).toBe(422);
  });

  it('the SDK: approvals.list, runs.decide, events.send', async () => {
    const fetchViaApp = ((input: string | Request | URL, init?: RequestInit) =>
      Promise.resolve(h.app.request(input instanceof Request ? input : String(input), init))) as typeof fetch;
    const sdk = new Kairos({ baseUrl: 'http://kairos.test/', apiKey: alice.key, fetch: fetchViaApp });
    const id = await parked({});
    expect((await sdk.approvals.list()).data.map((a) => a.run_id)).toContain(id);
    expect((await sdk.runs.decide(id, { approved: false, comment: 'no' })).status).toBe('pending');
    const error = await sdk.runs.decide(id, { approved: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KairosApiError);
    expect((error as KairosApiError).code).toBe('already_decided');
    const waiting = await parked({ kind: 'event', eventName: 'sdk', prompt: null });
    expect((await sdk.events.send({ name: 'sdk' })).matched).toEqual([waiting]);
  });
});
