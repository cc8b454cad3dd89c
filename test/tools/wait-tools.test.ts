import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitingForOf, type WaitRequest } from '../../src/runs/wait.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { parkRun } from '../../src/store/park-run.ts';
import { findRun, insertRuns } from '../../src/store/runs.ts';
import { findWait, insertWait } from '../../src/store/waits.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { callJson } from './mcp-client.ts';

// list_pending_approvals, decide_approval and send_event through the official MCP client over
// Streamable HTTP (/mcp), acting as the caller: another member sees and decides nothing of theirs.
describe('wait tools over MCP (pglite)', () => {
  let api: ApiHarness;
  let server: ServerType;
  let url: URL;
  let alice: Caller;
  let bob: Caller;
  let assistantId: string;
  const clients: Client[] = [];

  async function connect(key: string): Promise<Client> {
    const client = new Client({ name: 'kairos-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
    );
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    api = await createApiHarness('pglite', {}, { services: true });
    alice = await api.caller('member');
    bob = await api.caller('member');
    assistantId = (await insertAssistant(api.db, { ownerId: alice.userId, name: 'a', kind: 'http', config: {} })).id;
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  }, 120_000);
  afterAll(async () => {
    for (const client of clients) await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  });

  let worker = 0;
  async function parked(wait: Partial<WaitRequest>): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await insertRuns(api.db, [
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
        input: {},
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
    const workerId = `t-${++worker}`;
    await claimRuns(api.db, { now, limit: 10, workerId, leaseMs: 30_000 });
    const row = (await insertWait(
      api.db,
      { runId: id, workerId, attempt: 1 },
      {
        nodeKey: 'steps[0]',
        nodeName: 'approve',
        kind: 'approval',
        since: new Date(now),
        until: null,
        prompt: 'Book the flight?',
        approvers: [],
        eventName: null,
        match: null,
        lookbackMs: 0,
        onTimeout: 'reject',
        ...wait,
      },
    ))!;
    expect(await parkRun(api.db, { id, attempt: 1, workerId }, row, waitingForOf(row), new Date(now))).toBe('waiting');
    return id;
  }

  it('lists the three tools; an agent relays its user’s decision and sends an event, as that user', async () => {
    const asAlice = await connect(alice.key);
    const asBob = await connect(bob.key);
    const names = (await asAlice.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_pending_approvals', 'decide_approval', 'send_event']));

    const id = await parked({});
    const pending = await callJson(asAlice, 'list_pending_approvals');
    expect(pending.isError).toBe(false);
    expect(pending.value.approvals.map((a: { run_id: string }) => a.run_id)).toEqual([id]);
    expect(pending.value.approvals[0].prompt).toBe('Book the flight?');
    expect((await callJson(asBob, 'list_pending_approvals')).value.approvals).toEqual([]);
    const refused = await callJson(asBob, 'decide_approval', { run_id: id, approved: true });
    expect(refused.isError).toBe(true);
    expect(refused.value.error.code).toBe('forbidden');

    const decided = await callJson(asAlice, 'decide_approval', { run_id: id, approved: true, comment: 'aisle seat' });
    expect(decided).toEqual({ isError: false, value: { run_id: id, status: 'pending', approved: true } });
    expect((await findWait(api.db, id, 'steps[0]'))!.result).toMatchObject({
      approved: true,
      comment: 'aisle seat',
      by: alice.userId,
    });
    const twice = await callJson(asAlice, 'decide_approval', { run_id: id, approved: false });
    expect([twice.isError, twice.value.error.code]).toEqual([true, 'already_decided']);

    const waiting = await parked({ kind: 'event', eventName: 'booked', prompt: null });
    expect((await callJson(asBob, 'send_event', { name: 'booked' })).value.matched).toEqual([]);
    const sent = await callJson(asAlice, 'send_event', { name: 'booked', key: 'LH-123', payload: { seat: '14C' } });
    expect(sent.value.matched).toEqual([waiting]);
    expect((await findRun(api.db, waiting))!.status).toBe('pending');
  });
});
