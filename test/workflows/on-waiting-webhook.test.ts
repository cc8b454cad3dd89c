import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../src/agents/address-guard.ts';
import { systemClock } from '../../src/clock.ts';
import { findRun } from '../../src/store/runs.ts';
import type { WorkflowDefinition } from '../../src/workflows/workflow-definition.ts';
import { ApprovalLinks } from '../../src/waits/approval-links.ts';
import { WaitingWebhookDelivery } from '../../src/worker/waiting-webhook-delivery.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createWorkflowHarness, logger, type WorkflowHarness } from './harness.ts';

// The `on_waiting` webhook (docs/waits.md): a run that starts waiting is POSTed to its workflow's
// (or schedule's) URL once, retried after a failure, with the approval's signed link, which decides it.
describe.each(databaseKinds)('on_waiting webhook (%s)', (kind) => {
  let h: WorkflowHarness;
  let receiver: HttpAgentServer;
  let links: ApprovalLinks;
  let delivery: WaitingWebhookDelivery;
  beforeAll(async () => {
    h = await createWorkflowHarness(kind);
    receiver = await startHttpAgentServer();
    links = new ApprovalLinks({ db: h.db, clock: systemClock, publicUrl: 'https://kairos.example.com' });
    delivery = new WaitingWebhookDelivery({
      db: h.db,
      clock: systemClock,
      logger,
      guard: createAddressGuard({ allowPrivate: true, allowHosts: [] }),
      links,
      pollIntervalMs: 50,
      initialBackoffMs: 20,
    });
    await delivery.start();
  }, 60_000);
  afterAll(async () => {
    await delivery?.close();
    await receiver?.close();
    await h?.close();
  });

  let counter = 0;
  const flow = (onWaiting: string | undefined): WorkflowDefinition => ({
    name: `notify-${++counter}`,
    ...(onWaiting && { on_waiting: onWaiting }),
    steps: [
      { type: 'step', name: 'draft', module: 'upper' },
      { type: 'wait', name: 'approve', approval: { prompt: 'Publish {{steps.draft}}?', timeout: '1h' } },
      { type: 'step', name: 'publish', module: 'exclaim', input: '{{steps.draft}}' },
    ],
  });
  const waiting = (id: string) =>
    waitFor(async () => ((await findRun(h.db, id))?.status === 'waiting' ? true : undefined), { timeoutMs: 20_000 });

  it('POSTs the waiting run with its signed link once (retried after a 503); the link decides it and the run resumes', async () => {
    let failures = 1;
    receiver.handle(() => (failures-- > 0 ? { status: 503 } : { body: { ok: true } }));
    const before = receiver.requests.length;
    const workflow = await h.workflows.create(admin, { ...flow(`${receiver.url}/waiting`) });
    expect(workflow.definition.on_waiting).toBe(`${receiver.url}/waiting`);
    const run = await h.workflows.run(admin, workflow.id, { input: 'hello' as never });
    await waiting(run.id);
    const requests = (await receiver.waitForRequests(before + 2)).slice(before);
    expect(requests.map((r) => r.path)).toEqual(['/waiting', '/waiting']);
    const body = requests[1]!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'run.waiting',
      run_id: run.id,
      node: 'approve',
      kind: 'approval',
      prompt: 'Publish HELLO?',
      run: { id: run.id, status: 'waiting' },
    });
    expect(requests[1]!.headers['x-kairos-event']).toBe('run.waiting');
    const url = body.approval_url as string;
    expect(url).toMatch(/^https:\/\/kairos\.example\.com\/approvals\/[\w-]+\.[\w-]+$/);
    await waitFor(async () => {
      const { rows } = await h.db.query<{ notified_at: Date | null; notify_attempts: number }>(
        'SELECT notified_at, notify_attempts FROM waits WHERE run_id = $1',
        [run.id],
      );
      return rows[0]?.notified_at && rows[0].notify_attempts === 2;
    });

    const token = url.split('/approvals/')[1]!;
    expect(await links.decide(token, { approved: true, comment: 'from the link' })).toMatchObject({
      status: 'decided',
    });
    const { run: done } = await h.finished(run.id);
    expect(done.status).toBe('success');
    expect((done.output as { steps: Record<string, unknown> }).steps.approve).toMatchObject({
      approved: true,
      comment: 'from the link',
      by: null,
    });
    // Delivered once: the retry stops at the first 2xx, and resuming sends nothing more.
    expect(receiver.requests.length - before).toBe(2);
  });

  it("a schedule's on_waiting is used for its runs; a workflow without one sends nothing", async () => {
    receiver.handle(() => ({ body: { ok: true } }));
    const before = receiver.requests.length;
    const quiet = await h.workflows.create(admin, { ...flow(undefined) });
    const quietRun = await h.workflows.run(admin, quiet.id, { input: 'a' as never });
    await waiting(quietRun.id);

    const scheduled = await h.workflows.create(admin, { ...flow(undefined) });
    const { rows } = await h.db.query<{ id: string }>(
      `INSERT INTO schedules (owner_id, name, target_kind, workflow_id, kind, cron, on_waiting)
       VALUES ($1, $2, 'workflow', $3, 'cron', '0 9 * * *', $4) RETURNING id`,
      [admin.userId, `sched-${counter}`, scheduled.id, `${receiver.url}/from-schedule`],
    );
    const schedRun = await h.workflows.run(admin, scheduled.id, { input: 'b' as never });
    await h.db.query('UPDATE runs SET schedule_id = $2 WHERE id = $1', [schedRun.id, rows[0]!.id]);
    await waiting(schedRun.id);
    await h.db.query('SELECT pg_notify($1, $2)', [h.db.channelName('waits'), '0']);
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect(request!.path).toBe('/from-schedule');
    expect(request!.body).toMatchObject({ run_id: schedRun.id, node: 'approve' });
    // The quiet run was parked first and is still not announced.
    const { rows: quietRows } = await h.db.query<{ notified_at: Date | null; notify_attempts: number }>(
      'SELECT notified_at, notify_attempts FROM waits WHERE run_id = $1',
      [quietRun.id],
    );
    expect(quietRows[0]).toEqual({ notified_at: null, notify_attempts: 0 });
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/from-schedule']);
  });
});
