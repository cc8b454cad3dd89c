import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { WaitTimers } from '../../src/runs/wait-timers.ts';
import { waitingForOf, type WaitRequest } from '../../src/runs/wait.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database } from '../../src/store/database.ts';
import { parkRun } from '../../src/store/park-run.ts';
import { listRunEvents } from '../../src/store/run-events.ts';
import { findRun, insertRuns, type NewRun } from '../../src/store/runs.ts';
import { insertWait, resolveWait } from '../../src/store/waits.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { toRunResource } from '../../src/runs/run-resource.ts';
import { createLogger } from '../../src/logger.ts';
import { systemClock } from '../../src/clock.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ManualClock } from '../engine/harness.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';

// The `waiting` status (docs/waits.md): a parked run holds no lease; its wake-up is a `waits` row
// whose due time any replica claims exactly once; waiting runs stay out of overlap by default.
const t0 = Date.parse('2026-03-02T09:00:00Z');
const logger = createLogger('silent');

function newRun(assistantId: string, at: number, extra: Partial<NewRun> = {}): NewRun {
  return {
    id: randomUUID(),
    schedule_id: null,
    assistant_id: assistantId,
    thread_id: null,
    owner_id: localAdminId,
    trigger: 'api',
    scheduled_for: null,
    not_before: new Date(at),
    start_deadline: new Date(at + 60_000),
    run_number: null,
    input: {},
    metadata: {},
    max_attempts: 1,
    timeout_ms: null,
    retry_backoff_ms: 1000,
    retry_backoff_factor: 2,
    retry_backoff_max_ms: 60_000,
    ignore_overlap: false,
    created_at: new Date(at),
    ...extra,
  };
}

function timer(nodeKey: string, since: number, until: number): WaitRequest {
  return {
    nodeKey,
    nodeName: 'nap',
    kind: 'time',
    since: new Date(since),
    until: new Date(until),
    prompt: null,
    approvers: [],
    eventName: null,
    match: null,
    lookbackMs: 0,
    onTimeout: null,
  };
}

/** Inserts a run, claims it as `workerId` and parks it on a timer due at `until`. */
async function parkedRun(db: Database, assistantId: string, until: number, extra: Partial<NewRun> = {}, at = t0) {
  const run = newRun(assistantId, at, extra);
  await insertRuns(db, [run]);
  const claimed = await claimRuns(db, { now: at, limit: 1, workerId: 'w1', leaseMs: 30_000 });
  expect(claimed.started.map((r) => r.id)).toEqual([run.id]);
  const fence = { runId: run.id, workerId: 'w1', attempt: 1 };
  const wait = (await insertWait(db, fence, timer('steps[0]', at, until)))!;
  const status = await parkRun(db, { id: run.id, attempt: 1, workerId: 'w1' }, wait, waitingForOf(wait), new Date(at));
  expect(status).toBe('waiting');
  return run.id;
}

describe.each(databaseKinds)('waiting runs (%s)', (kind) => {
  let test: TestDatabase;
  let assistantId: string;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    assistantId = (await insertAssistant(test.db, { ownerId: localAdminId, name: 'a', kind: 'http', config: {} })).id;
  }, 120_000);
  afterAll(async () => test?.close());

  it('a parked run is waiting with no lease, shows waiting_for, and its timer wakes it exactly once at its due time', async () => {
    const { db } = test;
    const id = await parkedRun(db, assistantId, t0 + 90_000);
    const row = (await findRun(db, id))!;
    expect(row.status).toBe('waiting');
    expect(row.lease_owner).toBeNull();
    expect(row.lease_expires_at).toBeNull();
    expect(toRunResource(row).waiting_for).toEqual({
      kind: 'time',
      node: 'nap',
      since: new Date(t0).toISOString(),
      until: new Date(t0 + 90_000).toISOString(),
    });
    // A waiting run is not claimable.
    expect((await claimRuns(db, { now: t0 + 200_000, limit: 8, workerId: 'w2', leaseMs: 30_000 })).started).toEqual([]);

    const clock = new ManualClock(t0 + 89_000);
    const timers = [1, 2, 3].map(() => new WaitTimers({ db, clock, logger, pollIntervalMs: 1000 }));
    expect(await timers[0]!.tick()).toEqual([]);
    expect((await findRun(db, id))!.status).toBe('waiting');
    clock.advance(1000);
    // Three replicas pass at once: exactly one wakes the run.
    const woken = (await Promise.all(timers.map((t) => t.tick()))).flat();
    expect(woken).toEqual([id]);
    const resumed = (await findRun(db, id))!;
    expect(resumed.status).toBe('pending');
    expect(resumed.waiting_for).toBeNull();
    expect(resumed.not_before.getTime()).toBe(t0 + 90_000);
    expect(resumed.start_deadline).toBeNull();
    const events = await listRunEvents(db, id);
    const decisions = events.filter((e) => e.kind === 'decision');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.data).toMatchObject({
      kind: 'time',
      resolution: 'woke',
      result: { woke_at: new Date(t0 + 90_000).toISOString() },
    });
    expect(events.map((e) => e.kind)).toEqual(['attempt_started', 'wait', 'decision']);
    // Resumed on a worker like any pending run, at the same attempt.
    const again = await claimRuns(db, { now: t0 + 90_001, limit: 8, workerId: 'w2', leaseMs: 30_000 });
    expect(again.started.map((r) => [r.id, r.attempt])).toEqual([[id, 1]]);
    await db.query(`UPDATE runs SET status = 'success', finished_at = now(), lease_owner = NULL WHERE id = $1`, [id]);
  });

  it('on PostgreSQL, replicas on their own connections claim a herd of due timers exactly once', async () => {
    if (kind !== 'postgres') return;
    const { db } = test;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await parkedRun(db, assistantId, t0 + 5000));
    const clock = new ManualClock(t0 + 5000);
    const others = [test.connectAgain(), test.connectAgain()];
    const timers = [db, ...others].map(
      (replica) => new WaitTimers({ db: replica, clock, logger, pollIntervalMs: 1000, batchSize: 3 }),
    );
    const woken = (await Promise.all(timers.map((t) => t.tick()))).flat();
    expect(woken.sort()).toEqual([...ids].sort());
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM run_events WHERE run_id = ANY($1::uuid[]) AND kind = 'decision'`,
      [ids],
    );
    expect(rows[0]!.n).toBe(20);
    await db.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  });

  it('timers fire within a second of due on a running replica; a replica that starts after the due time ends the wait at once', async () => {
    const { db } = test;
    const decidedAt = async (id: string) =>
      waitFor(async () => (await listRunEvents(db, id)).find((e) => e.kind === 'decision')?.at.getTime(), {
        timeoutMs: 5000,
      });
    // Every replica was down past the due time: the first one to start ends it at its first pass.
    const overdue = await parkedRun(db, assistantId, Date.now() - 60_000, {}, Date.now() - 120_000);
    const ids = [overdue];
    const late = new WaitTimers({ db, clock: systemClock, logger, pollIntervalMs: 60_000 });
    const startedAt = Date.now();
    await late.start();
    try {
      expect((await decidedAt(overdue)) - startedAt).toBeLessThan(1000);
      expect((await findRun(db, overdue))!.status).toBe('pending');
      await db.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [overdue]);
      // Running, with a 60 s fallback poll: a run that parks wakes the loop, which sleeps until its due time.
      const due = Date.now() + 700;
      const soon = await parkedRun(db, assistantId, due, {}, Date.now());
      ids.push(soon);
      const at = await decidedAt(soon);
      expect(at).toBeGreaterThanOrEqual(due - 5);
      expect(at - due).toBeLessThan(1000);
    } finally {
      await late.close();
    }
    await db.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = ANY($1::uuid[])`, [[overdue]]);
  });

  it('a wait resolved while the run parks sends it straight back to pending (nothing is lost)', async () => {
    const { db } = test;
    const run = newRun(assistantId, t0);
    await insertRuns(db, [run]);
    await claimRuns(db, { now: t0, limit: 1, workerId: 'w1', leaseMs: 30_000 });
    const wait = (await insertWait(db, { runId: run.id, workerId: 'w1', attempt: 1 }, timer('k', t0, t0 + 1e9)))!;
    await resolveWait(db, { runId: run.id, nodeKey: 'k' }, { resolution: 'woke', at: new Date(t0), result: {} });
    expect(await parkRun(db, { id: run.id, attempt: 1, workerId: 'w1' }, wait, waitingForOf(wait), new Date(t0))).toBe(
      'pending',
    );
    expect((await findRun(db, run.id))!.status).toBe('pending');
    // A park by a worker that lost the lease writes nothing.
    expect(
      await parkRun(db, { id: run.id, attempt: 1, workerId: 'w9' }, wait, waitingForOf(wait), new Date(t0)),
    ).toBeUndefined();
    await db.query(`UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [run.id]);
  });

  it('a waiting run does not count toward its schedule’s max_concurrent; with overlap_counts_waiting it does', async () => {
    const { db } = test;
    for (const counts of [false, true]) {
      const scheduleId = randomUUID();
      await db.query(
        `INSERT INTO schedules (id, owner_id, name, assistant_id, kind, cron, max_concurrent, overlap, overlap_counts_waiting)
         VALUES ($1, $2, $3, $4, 'cron', '0 9 * * *', 1, 'skip', $5)`,
        [scheduleId, localAdminId, `daily-${counts}`, assistantId, counts],
      );
      const waiting = await parkedRun(db, assistantId, t0 + 86_400_000 * 3, {
        schedule_id: scheduleId,
        trigger: 'schedule',
        scheduled_for: new Date(t0),
      });
      const next = newRun(assistantId, t0 + 1000, {
        schedule_id: scheduleId,
        trigger: 'schedule',
        scheduled_for: new Date(t0 + 1000),
      });
      await insertRuns(db, [next]);
      const claimed = await claimRuns(db, { now: t0 + 1000, limit: 8, workerId: 'w1', leaseMs: 30_000 });
      const row = (await findRun(db, next.id))!;
      if (counts) {
        expect(claimed.started).toEqual([]);
        expect(row.status).toBe('skipped');
      } else {
        expect(claimed.started.map((r) => r.id)).toEqual([next.id]);
        expect(row.status).toBe('running');
      }
      await db.query(
        `UPDATE runs SET status = 'cancelled', finished_at = now(), lease_owner = NULL WHERE id = ANY($1)`,
        [[waiting, next.id]],
      );
    }
  });
});
