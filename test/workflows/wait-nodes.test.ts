import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { KairosError } from '../../src/errors.ts';
import { WaitService } from '../../src/waits/wait-service.ts';
import { WaitTimers } from '../../src/runs/wait-timers.ts';
import { insertEvent } from '../../src/store/events.ts';
import { findRun, type RunRow } from '../../src/store/runs.ts';
import type { WorkflowDefinition } from '../../src/workflows/workflow-definition.ts';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createWorkflowHarness, flatten, logger, type WorkflowHarness } from './harness.ts';

// Workflow `wait` nodes (docs/waits.md): approvals, events (with lookback), sleeps; the run parks
// (`waiting`, no lease), resumes at the wait node, and finished steps are not called again.
describe.each(databaseKinds)('wait nodes (%s)', (kind) => {
  let h: WorkflowHarness;
  let timers: WaitTimers;
  let waits: WaitService;
  beforeAll(async () => {
    h = await createWorkflowHarness(kind);
    timers = new WaitTimers({ db: h.db, clock: systemClock, logger, pollIntervalMs: 5000 });
    await timers.start();
    waits = new WaitService({ db: h.db, clock: systemClock });
  }, 60_000);
  afterAll(async () => {
    await timers?.close();
    await h?.close();
  });

  let counter = 0;
  async function start(definition: WorkflowDefinition, input?: unknown): Promise<string> {
    const workflow = await h.workflows.create(admin, { ...definition, name: `${definition.name}-${++counter}` });
    return (await h.workflows.run(admin, workflow.id, { input: input as never })).id;
  }
  const waiting = (id: string) =>
    waitFor(async () => {
      const run = await findRun(h.db, id);
      return run?.status === 'waiting' ? run : undefined;
    });
  const steps = (run: RunRow) => (run.output as { steps: Record<string, unknown> }).steps;

  const approvalFlow = (approval: Record<string, unknown>): WorkflowDefinition => ({
    name: 'publish',
    steps: [
      { type: 'step', name: 'draft', module: 'upper' },
      { type: 'wait', name: 'approve', approval: { prompt: 'Publish {{steps.draft}}?', ...approval } },
      {
        type: 'condition',
        name: 'approved?',
        evaluator: 'previous_step_outputs.approve.approved',
        steps: [{ type: 'step', name: 'publish', module: 'exclaim', input: '{{steps.draft}}' }],
        else_steps: [{ type: 'step', name: 'drop', module: 'echo', input: 'dropped' }],
      },
    ],
  });

  it('approval: the run waits without a lease, shows the prompt, and resumes on a decision without calling finished steps again', async () => {
    const before = h.calls.get('upper') ?? 0;
    const id = await start(approvalFlow({}), 'hello');
    const parked = await waiting(id);
    expect(parked.lease_owner).toBeNull();
    expect(parked.waiting_for).toMatchObject({ kind: 'approval', node: 'approve', prompt: 'Publish HELLO?' });
    const until = Date.parse((parked.waiting_for as { until: string }).until);
    const since = Date.parse((parked.waiting_for as { since: string }).since);
    expect(until - since).toBe(7 * 86_400_000);
    expect(h.worker.activeCount).toBe(0);
    const pending = (await waits.approvals(admin, { status: 'pending', limit: 100, offset: 0 })).items;
    expect(pending.find((a) => a.run_id === id)).toMatchObject({ node: 'approve', prompt: 'Publish HELLO?' });

    const decided = await waits.decide(admin, id, { approved: true, comment: 'ship it', data: { channel: 'blog' } });
    expect(['pending', 'running', 'success']).toContain(decided.status);
    const { run, steps: tree, events } = await h.finished(id);
    expect(run.status).toBe('success');
    expect(steps(run).approve).toMatchObject({
      approved: true,
      comment: 'ship it',
      by: admin.userId,
      data: { channel: 'blog' },
      timed_out: false,
    });
    expect(steps(run).publish).toBe('HELLO!');
    expect(steps(run).drop).toBeUndefined();
    expect(h.calls.get('upper')! - before).toBe(1);
    const node = flatten(tree).find((s) => s.name === 'approve')!;
    expect([node.type, node.status]).toEqual(['wait', 'success']);
    expect(node.output).toMatchObject({ approved: true });
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'wait')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'decision')).toHaveLength(1);
    expect(events.find((e) => e.kind === 'decision')!.data).toMatchObject({ resolution: 'decided', by: admin.userId });

    // A second decision: already decided, nothing changes.
    const second = await waits.decide(admin, id, { approved: false }).catch((error: unknown) => error);
    expect((second as KairosError).code).toBe('already_decided');
    expect((second as KairosError).status).toBe(409);
    const decidedList = (await waits.approvals(admin, { status: 'decided', limit: 100, offset: 0 })).items;
    expect(decidedList.find((a) => a.run_id === id)?.decision).toMatchObject({ approved: true });
  });

  it('approval timeout: reject (the default) gives {approved: false, timed_out: true}; approve approves; fail fails the run', async () => {
    const rejected = await start(approvalFlow({ timeout: '1s' }), 'a');
    const approved = await start(approvalFlow({ timeout: 1, on_timeout: 'approve' }), 'b');
    const failed = await start(approvalFlow({ timeout: '1s', on_timeout: 'fail' }), 'c');
    const r = await h.finished(rejected);
    expect(r.run.status).toBe('success');
    expect(steps(r.run).approve).toMatchObject({ approved: false, timed_out: true, by: null });
    expect(steps(r.run).drop).toBe('dropped');
    expect(r.events.find((e) => e.kind === 'decision')!.data).toMatchObject({ resolution: 'timeout' });
    const a = await h.finished(approved);
    expect(steps(a.run).approve).toMatchObject({ approved: true, timed_out: true });
    expect(steps(a.run).publish).toBe('B!');
    const f = await h.finished(failed);
    expect([f.run.status, f.run.error_kind]).toEqual(['timeout', 'timeout']);
    expect(f.run.error).toContain('wait "approve" timed out');
  });

  it('event: match over event and input picks the run; the node gets {name, key, payload, received_at}', async () => {
    const flow: WorkflowDefinition = {
      name: 'pay',
      steps: [
        { type: 'wait', name: 'paid', event: { name: 'payment', match: 'event.key == input.order' } },
        { type: 'step', name: 'after', module: 'echo' },
      ],
    };
    const id = await start(flow, { order: 'A1' });
    await waiting(id);
    expect(await waits.sendEvent(admin, { name: 'payment', key: 'B2', payload: { amount: 1 } })).toMatchObject({
      matched: [],
    });
    expect((await findRun(h.db, id))!.status).toBe('waiting');
    const sent = await waits.sendEvent(admin, { name: 'payment', key: 'A1', payload: { amount: 5 } });
    expect(sent.matched).toEqual([id]);
    const { run } = await h.finished(id);
    expect(run.status).toBe('success');
    expect(steps(run).paid).toMatchObject({ name: 'payment', key: 'A1', payload: { amount: 5 } });
    expect(steps(run).after).toEqual(steps(run).paid);
  });

  it('event lookback: an event sent before the wait within lookback matches at once; one older than lookback does not', async () => {
    const now = Date.now();
    await insertEvent(h.db, {
      name: 'merged',
      key: 'pr-1',
      payload: { by: 'ann' },
      senderId: admin.userId,
      receivedAt: new Date(now - 60_000),
    });
    await insertEvent(h.db, {
      name: 'merged',
      key: 'pr-2',
      payload: null,
      senderId: admin.userId,
      receivedAt: new Date(now - 20 * 60_000),
    });
    const flow = (key: string): WorkflowDefinition => ({
      name: 'merge',
      steps: [
        { type: 'wait', name: 'merged', event: { name: 'merged', match: `event.key == "${key}"`, lookback: '10m' } },
      ],
    });
    const within = await start(flow('pr-1'));
    const { run, events } = await h.finished(within);
    expect(run.status).toBe('success');
    expect(steps(run).merged).toMatchObject({ key: 'pr-1', payload: { by: 'ann' } });
    expect(events.some((e) => e.kind === 'wait')).toBe(false);
    const outside = await start(flow('pr-2'));
    await waiting(outside);
    await h.runs.cancel(admin, outside);
    expect((await findRun(h.db, outside))!.status).toBe('cancelled');
    const late = await waits.sendEvent(admin, { name: 'merged', key: 'pr-2' });
    expect(late.matched).toEqual([]);
  });

  it('sleep: wakes within a second of its due time, {woke_at}', async () => {
    const id = await start({ name: 'nap', steps: [{ type: 'wait', name: 'nap', sleep: '1s' }] });
    const parked = await waiting(id);
    const due = Date.parse((parked.waiting_for as { until: string }).until);
    const { run } = await h.finished(id);
    expect(run.status).toBe('success');
    const wokeAt = Date.parse((steps(run).nap as { woke_at: string }).woke_at);
    expect(wokeAt).toBeGreaterThanOrEqual(due);
    expect(wokeAt - due).toBeLessThan(1000);
  });

  it('a decision racing a timeout: exactly one wins, and the run events say which', async () => {
    // A second replica's timers race the decision (and this replica's own timers).
    const racer = new WaitTimers({
      db: kind === 'postgres' ? h.test.connectAgain() : h.db,
      clock: systemClock,
      logger,
      pollIntervalMs: 5000,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = await start(approvalFlow({ timeout: '1h' }), `r${i}`);
      await waiting(id);
      // Its timeout comes due now.
      await h.db.query(`UPDATE waits SET until = now() - interval '1 second' WHERE run_id = $1`, [id]);
      const [decision] = await Promise.all([
        waits.decide(admin, id, { approved: true }).then(
          () => 'decided',
          (error: KairosError) => error.code,
        ),
        racer.tick(),
      ]);
      const { run, events } = await h.finished(id);
      expect(run.status).toBe('success');
      const decisions = events.filter((e) => e.kind === 'decision');
      expect(decisions).toHaveLength(1);
      const resolution = (decisions[0]!.data as { resolution: string }).resolution;
      if (decision === 'decided') {
        expect(resolution).toBe('decided');
        expect(steps(run).approve).toMatchObject({ approved: true, timed_out: false });
      } else {
        expect(decision).toBe('already_decided');
        expect(resolution).toBe('timeout');
        expect(steps(run).approve).toMatchObject({ approved: false, timed_out: true });
      }
      outcomes.push(resolution);
    }
    expect(outcomes).toHaveLength(6);
  });

  it('validation at save: one kind, durations, until, approvers, match — each named by its path', async () => {
    const problems = async (node: Record<string, unknown>) => {
      const error = (await h.workflows
        .create(admin, { name: `bad-${++counter}`, steps: [{ type: 'wait', name: 'w', ...node }] as never })
        .catch((e: unknown) => e)) as KairosError;
      expect(error.code).toBe('invalid_workflow');
      return (error.details as { errors: Array<{ path: string; message: string }> }).errors;
    };
    expect(await problems({ sleep: '1s', until: '2026-12-24T09:00:00Z' })).toEqual([
      { path: 'steps[0]', message: 'give only one of approval, event, sleep or until (got sleep, until)' },
    ]);
    expect(await problems({})).toEqual([{ path: 'steps[0]', message: 'give one of approval, event, sleep or until' }]);
    expect((await problems({ sleep: 'soon' }))[0]!.path).toBe('steps[0].sleep');
    expect((await problems({ until: 'tomorrow' }))[0]!.path).toBe('steps[0].until');
    expect((await problems({ event: { name: 'x', lookback: '30d' } }))[0]!.path).toBe('steps[0].event.lookback');
    expect((await problems({ event: { name: 'x', match: 'event.key ==' } }))[0]!.path).toBe('steps[0].event.match');
    expect((await problems({ event: { name: 'x', match: 'nope == 1' } }))[0]!.path).toBe('steps[0].event.match');
    expect(
      await problems({ approval: { prompt: 'ok?', approvers: ['role:boss', '00000000-0000-0000-0000-00000000abcd'] } }),
    ).toEqual([
      {
        path: 'steps[0].approval.approvers[0]',
        message: '"role:boss" is neither a user id nor one of role:admin, role:member',
      },
      { path: 'steps[0].approval.approvers[1]', message: 'no user "00000000-0000-0000-0000-00000000abcd" exists' },
    ]);
    expect((await problems({ approval: { prompt: '{{steps.nope}}?' } }))[0]!.path).toBe('steps[0].approval.prompt');
    // A valid one saves.
    const saved = await h.workflows.create(admin, {
      name: `ok-${++counter}`,
      steps: [{ type: 'wait', name: 'w', approval: { prompt: 'ok?', approvers: ['role:member'], timeout: '24h' } }],
    });
    expect(saved.id).toBeTruthy();
  });
});
