import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { waitingForOf, type WaitRequest } from '../../src/runs/wait.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { parkRun } from '../../src/store/park-run.ts';
import { findRun, insertRuns } from '../../src/store/runs.ts';
import { findWait, insertWait, type WaitRow } from '../../src/store/waits.ts';
import { ApprovalLinks } from '../../src/waits/approval-links.ts';
import { signApprovalToken } from '../../src/waits/approval-token.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { createApiHarness, errorOf, type ApiHarness, type Caller } from './harness.ts';

// Signed one-time approval links (docs/waits.md): GET /approvals/{token} shows, POST decides, no API key.
describe.each(databaseKinds)('approval links (%s)', (kind) => {
  let h: ApiHarness;
  let alice: Caller;
  let links: ApprovalLinks;
  let assistantId: string;
  let worker = 0;
  beforeAll(async () => {
    // Not loopback: outside local mode, so that /api routes need a key and the link routes show they do not.
    h = await createApiHarness(kind, { HOST: '0.0.0.0' }, { services: true });
    alice = await h.caller('member');
    assistantId = (await insertAssistant(h.db, { ownerId: alice.userId, name: 'Writer', kind: 'http', config: {} })).id;
    // A second instance over the same database: the secret generated once is shared (every replica signs alike).
    links = new ApprovalLinks({ db: h.db, clock: systemClock });
  }, 120_000);
  afterAll(async () => h?.close());

  /** A run of alice's, claimed and parked on an approval the way a worker does it. */
  async function parked(wait: Partial<WaitRequest> = {}): Promise<WaitRow> {
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
        prompt: 'Publish <b>the draft</b>?',
        approvers: [],
        eventName: null,
        match: null,
        lookbackMs: 0,
        onTimeout: 'reject',
        ...wait,
      },
    ))!;
    expect(await parkRun(h.db, { id, attempt: 1, workerId }, row, waitingForOf(row), new Date(now))).toBe('waiting');
    return row;
  }
  const html = { accept: 'text/html' };
  const form = (fields: Record<string, string>) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams(fields).toString(),
  });

  it('shows the approval without a key, escaped, and decides it once by form; a second decision is 409', async () => {
    const wait = await parked();
    const url = await links.urlFor(wait);
    expect(url).toMatch(/^\/approvals\/[\w-]+\.[\w-]+$/);
    expect((await h.call('GET', '/api/v1/approvals')).status).toBe(401); // the API needs a key; the link does not

    const shown = await h.call('GET', url, { headers: html });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('referrer-policy')).toBe('no-referrer');
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const page = await shown.text();
    expect(page).toContain('Publish &lt;b&gt;the draft&lt;/b&gt;?');
    expect(page).not.toContain('<b>the draft</b>');
    expect(page).toContain('Writer'); // the run's context: its assistant
    expect(page).toContain(`action="${url}"`);

    const asJson = await h.call('GET', url, { headers: { accept: 'application/json' } });
    expect(await asJson.json()).toMatchObject({
      run_id: wait.run_id,
      node: 'approve',
      status: 'pending',
      run_status: 'waiting',
      assistant: { id: assistantId, name: 'Writer' },
      workflow: null,
    });

    const decided = await h.app.request(url, { method: 'POST', ...form({ decision: 'approve', comment: 'ship it' }) });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Approved');
    expect((await findWait(h.db, wait.run_id, 'steps[1]'))!).toMatchObject({
      resolution: 'decided',
      decided_by: null,
      result: { approved: true, comment: 'ship it', by: null, timed_out: false },
    });
    expect((await findRun(h.db, wait.run_id))!.status).toBe('pending');

    const again = await h.call('POST', url, { body: { approved: false } });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('already_decided');
    const againByForm = await h.app.request(url, { method: 'POST', ...form({ decision: 'reject' }) });
    expect(againByForm.status).toBe(409);
    expect(await againByForm.text()).toContain('already_decided');
    expect((await findWait(h.db, wait.run_id, 'steps[1]'))!.result).toMatchObject({ approved: true });
  });

  it('decides by JSON; a bad body is 422 naming the field, with nothing changed', async () => {
    const wait = await parked();
    const url = await links.urlFor(wait);
    const bad = await h.call('POST', url, { body: { approved: 'yes' } });
    expect(bad.status).toBe(422);
    expect(await errorOf(bad)).toMatchObject({ code: 'invalid_request', details: { field: 'approved' } });
    const badForm = await h.app.request(url, { method: 'POST', ...form({ decision: 'maybe' }) });
    expect(badForm.status).toBe(422);
    expect((await findWait(h.db, wait.run_id, 'steps[1]'))!.resolved_at).toBeNull();

    const ok = await h.call('POST', url, { body: { approved: false, comment: 'not yet' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'decided',
      decision: { approved: false, comment: 'not yet', by: null },
    });
    expect((await findRun(h.db, wait.run_id))!.status).toBe('pending');
  });

  it('a tampered or foreign token is 404 approval_link_not_found, an expired one 410, with no detail', async () => {
    const wait = await parked();
    const token = (await links.tokenFor(wait)).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(token[0], 'base64url').toString()) as Record<string, unknown>;
    const unsigned = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const variants = [
      `${token[0]}.${token[1].slice(0, -2)}AA`, // signature changed
      `${Buffer.from(JSON.stringify({ ...payload, n: 'steps[0]' })).toString('base64url')}.${token[1]}`, // claims changed
      signApprovalToken('another-secret-another-secret-0123456789', {
        runId: wait.run_id,
        nodeKey: 'steps[1]',
        expiresAt: Date.now() + 60_000,
      }),
      'not-a-token',
      unsigned,
    ];
    for (const bad of variants) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await h.call(method, `/approvals/${bad}`, {
          headers: { accept: 'application/json' },
          ...(method === 'POST' ? { body: { approved: true } } : {}),
        });
        expect(response.status).toBe(404);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({
          error: { code: 'approval_link_not_found', message: 'this approval link is not valid: ask for a new one' },
        });
        expect(text).not.toContain(wait.run_id);
      }
    }
    const page = await h.call('GET', `/approvals/${variants[0]}`, { headers: html });
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('approval_link_not_found');
    expect((await findWait(h.db, wait.run_id, 'steps[1]'))!.resolved_at).toBeNull();

    // The link expires with the wait (its until).
    const old = await parked({ until: new Date(Date.now() - 1000) });
    const expired = await h.call('POST', await links.urlFor(old), { body: { approved: true } });
    expect(expired.status).toBe(410);
    expect(await errorOf(expired)).toEqual({
      code: 'approval_link_expired',
      message: 'this approval link has expired: the approval is closed',
    });
    expect((await findWait(h.db, old.run_id, 'steps[1]'))!.resolved_at).toBeNull();
  });

  it('a configured secret (KAIROS_APPROVAL_SECRET) signs and checks the links instead of the stored one', async () => {
    const wait = await parked();
    const secret = 'a-configured-secret-of-at-least-32-chars';
    const configured = new ApprovalLinks({ db: h.db, clock: systemClock, secret });
    const token = signApprovalToken(secret, {
      runId: wait.run_id,
      nodeKey: 'steps[1]',
      expiresAt: Date.now() + 60_000,
    });
    expect(await configured.tokenFor({ ...wait, until: new Date(Date.now() + 60_000) })).not.toBe(
      await links.tokenFor({ ...wait, until: new Date(Date.now() + 60_000) }),
    );
    expect(await configured.show(token)).toMatchObject({ run_id: wait.run_id, status: 'pending' });
    await expect(links.show(token)).rejects.toMatchObject({ code: 'approval_link_not_found', status: 404 });
  });

  it('on_waiting is set on schedules and workflows through the API: an http(s) URL, 422 naming the field otherwise', async () => {
    const bad = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: { assistant_id: assistantId, schedule: { cron: '0 9 * * *' }, name: 'hooked', on_waiting: 'ftp://x' },
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await errorOf(bad))).toContain('on_waiting');
    const created = await h.call('POST', '/api/v1/schedules', {
      key: alice.key,
      body: {
        assistant_id: assistantId,
        schedule: { cron: '0 9 * * *' },
        name: 'hooked',
        on_waiting: 'https://hooks.example.com/w',
      },
    });
    expect(created.status).toBe(201);
    const schedule = (await created.json()) as { id: string; on_waiting: string | null };
    expect(schedule.on_waiting).toBe('https://hooks.example.com/w');
    const cleared = await h.call('PATCH', `/api/v1/schedules/${schedule.id}`, {
      key: alice.key,
      body: { on_waiting: null },
    });
    expect(((await cleared.json()) as { on_waiting: string | null }).on_waiting).toBeNull();

    const steps = [{ type: 'step', name: 'a', assistant_id: assistantId }];
    const badFlow = await h.call('POST', '/api/v1/workflows', {
      key: alice.key,
      body: { name: 'wf', steps, on_waiting: 'not a url' },
    });
    expect(badFlow.status).toBe(422);
    expect(JSON.stringify(await errorOf(badFlow))).toContain('on_waiting');
    const flow = await h.call('POST', '/api/v1/workflows', {
      key: alice.key,
      body: { name: 'wf', steps, on_waiting: 'https://hooks.example.com/w' },
    });
    expect(flow.status).toBe(201);
    const saved = (await flow.json()) as { id: string; definition: { on_waiting?: string } };
    expect(saved.definition.on_waiting).toBe('https://hooks.example.com/w');
    const unset = await h.call('PATCH', `/api/v1/workflows/${saved.id}`, {
      key: alice.key,
      body: { on_waiting: null },
    });
    expect(((await unset.json()) as { definition: Record<string, unknown> }).definition).not.toHaveProperty(
      'on_waiting',
    );
  });
});
