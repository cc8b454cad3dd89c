import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database } from '../../src/store/database.ts';
import { insertRuns, type NewRun } from '../../src/store/runs.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { expireStartDeadlines } from '../../src/worker/expire-start-deadlines.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';

// The claim applies an assistant's max_concurrent and rate_limit (docs/assistants.md), with `now`
// injected: held runs stay pending, and start as soon as the limit allows.
const t0 = Date.parse('2026-03-02T09:00:00Z');

function pendingRuns(assistantId: string, count: number, notBefore: number, extra: Partial<NewRun> = {}): NewRun[] {
  return Array.from({ length: count }, () => ({
    id: randomUUID(),
    schedule_id: null,
    assistant_id: assistantId,
    thread_id: null,
    owner_id: localAdminId,
    trigger: 'api',
    scheduled_for: null,
    not_before: new Date(notBefore),
    start_deadline: new Date(notBefore + 30_000),
    run_number: null,
    input: {},
    metadata: {},
    max_attempts: 1,
    timeout_ms: null,
    retry_backoff_ms: 1000,
    retry_backoff_factor: 2,
    retry_backoff_max_ms: 60_000,
    ignore_overlap: false,
    created_at: new Date(notBefore),
    ...extra,
  }));
}

async function finish(db: Database, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE runs SET status = 'success', finished_at = $2, lease_owner = NULL WHERE id = ANY($1::uuid[])`,
    [ids, new Date(at)],
  );
}

async function statusCounts(db: Database, assistantId: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM runs WHERE assistant_id = $1 GROUP BY status',
    [assistantId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

const claim = (db: Database, now: number, limit = 16, workerId = 'w1') =>
  claimRuns(db, { now, limit, workerId, leaseMs: 30_000 });

describe.each(databaseKinds)('assistant limits in the claim (%s)', (kind) => {
  // One database for the file (PGlite is slow to migrate); each test has assistants of its own
  // and ends whatever it left pending or running.
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
  }, 120_000);
  afterEach(async () => {
    await test.db.query(
      `UPDATE runs SET status = 'cancelled', finished_at = now() WHERE status IN ('pending', 'running')`,
    );
  });
  afterAll(async () => {
    await test?.close();
  });

  it('max_concurrent: at most that many running; the rest stay pending and start as runs finish', async () => {
    const { db } = test;
    const assistant = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'provider',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      maxConcurrent: 2,
    });
    await insertRuns(db, pendingRuns(assistant.id, 20, t0));
    let now = t0;
    let started = 0;
    for (let round = 0; round < 10; round++) {
      const result = await claim(db, now);
      expect(result.started).toHaveLength(2);
      expect(result.ended).toEqual([]);
      const again = await claim(db, now);
      expect(again.started).toHaveLength(0);
      expect((await statusCounts(db, assistant.id)).running).toBe(2);
      started += result.started.length;
      now += 1000;
      await finish(
        db,
        result.started.map((run) => run.id),
        now,
      );
    }
    expect(started).toBe(20);
    expect(await statusCounts(db, assistant.id)).toEqual({ success: 20 });
  });

  it("a start's started_at never precedes the finish that freed its slot during the claim pass", async () => {
    // Why "3 at once" could show in the history of an assistant limited to 2: a claim pass takes
    // its `now`, waits for its lock, and meanwhile a finish frees the slot. The run it starts was
    // sent to the agent after that finish, so its started_at is the clock after the locks.
    const { db } = test;
    const assistant = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'one-at-a-time',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      maxConcurrent: 1,
    });
    await insertRuns(db, pendingRuns(assistant.id, 2, t0));
    const [first] = (await claim(db, t0)).started;
    const passBegan = t0 + 1000;
    await finish(db, [first!.id], t0 + 1500);
    const second = await claimRuns(db, {
      now: passBegan,
      limit: 16,
      workerId: 'w2',
      leaseMs: 30_000,
      startedAt: () => t0 + 1600,
    });
    expect(second.started).toHaveLength(1);
    expect(second.started[0]!.started_at!.getTime()).toBe(t0 + 1600);
    const { rows } = await db.query<{ id: string; started_at: Date; finished_at: Date | null }>(
      'SELECT id, started_at, finished_at FROM runs WHERE assistant_id = $1',
      [assistant.id],
    );
    // At no start were more runs between start and finish than the limit.
    for (const row of rows) {
      const at = row.started_at.getTime();
      const overlapping = rows.filter(
        (x) => x.started_at.getTime() <= at && (x.finished_at?.getTime() ?? Infinity) > at,
      );
      expect(overlapping).toHaveLength(1);
    }
  });

  it('rate_limit: no 60 s window holds more starts than the limit, and none is lost or failed', async () => {
    const { db } = test;
    const assistant = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'rpm',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      rateLimit: 30,
    });
    await insertRuns(db, pendingRuns(assistant.id, 100, t0));
    // Claim every 5 s of test time for 4 minutes; each started run finishes at once. The start
    // deadline (30 s) passes for most of them on the way: they wait for the quota all the same.
    for (let now = t0; now <= t0 + 240_000; now += 5000) {
      const expired = await expireStartDeadlines(db, { now });
      expect(expired.expired).toEqual([]);
      let result;
      do {
        result = await claim(db, now, 8);
        await finish(
          db,
          result.started.map((run) => run.id),
          now + 10,
        );
      } while (result.started.length > 0);
    }
    const { rows } = await db.query<{ started_at: Date }>(
      'SELECT started_at FROM runs WHERE assistant_id = $1 AND started_at IS NOT NULL ORDER BY started_at',
      [assistant.id],
    );
    const starts = rows.map((row) => row.started_at.getTime());
    let peak = 0;
    for (const first of starts) peak = Math.max(peak, starts.filter((at) => at >= first && at < first + 60_000).length);
    expect(peak).toBe(30);
    // 30 at 09:00:00, 30 at 09:01:00, 30 at 09:02:00, the last 10 at 09:03:00: on time, no earlier.
    expect(starts.filter((at) => at === t0)).toHaveLength(30);
    expect(starts.filter((at) => at === t0 + 60_000)).toHaveLength(30);
    expect(starts.filter((at) => at === t0 + 180_000)).toHaveLength(10);
    expect(await statusCounts(db, assistant.id)).toEqual({ success: 100 });
  });

  it('a herd held by its assistant does not starve the runs of other assistants', async () => {
    const { db } = test;
    const limited = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'slow-provider',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      maxConcurrent: 1,
    });
    const free = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'free',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
    });
    await insertRuns(db, pendingRuns(limited.id, 50, t0));
    const [other] = await insertRuns(db, pendingRuns(free.id, 1, t0 + 1000));
    const first = await claim(db, t0 + 1000, 4);
    expect(first.started.map((run) => run.assistant_id).sort()).toEqual([limited.id, free.id].sort());
    expect(first.started.some((run) => run.id === other!.id)).toBe(true);
    expect(first.started[0]!.assistant).toMatchObject({ id: limited.id, maxConcurrent: 1, rateLimit: null });
  });

  it('removing a limit releases the held runs at the next claim', async () => {
    const { db } = test;
    const assistant = await insertAssistant(db, {
      ownerId: localAdminId,
      name: 'p',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      maxConcurrent: 1,
    });
    await insertRuns(db, pendingRuns(assistant.id, 5, t0));
    expect((await claim(db, t0)).started).toHaveLength(1);
    await db.query('UPDATE assistants SET max_concurrent = NULL WHERE id = $1', [assistant.id]);
    expect((await claim(db, t0)).started).toHaveLength(4);
  });
});

describe('assistant limits across replicas claiming at once (postgres)', () => {
  let test: TestDatabase | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it('two claimers at the same instant never start more than max_concurrent or rate_limit together', async () => {
    test = await createTestDatabase('postgres');
    const replicas = [test.db, test.connectAgain(), test.connectAgain(), test.connectAgain()];
    const concurrent = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'c',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      maxConcurrent: 3,
    });
    const rated = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'r',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
      rateLimit: 5,
    });
    await insertRuns(test.db, [...pendingRuns(concurrent.id, 40, t0), ...pendingRuns(rated.id, 40, t0)]);
    for (let round = 0; round < 20; round++) {
      // Every replica claims at once, again and again at the same instant (contended claims retry).
      const results = await Promise.all(
        replicas.map(async (db, i) => {
          const mine = [];
          for (let k = 0; k < 5; k++) mine.push(...(await claim(db, t0 + round, 4, `w${i}`)).started);
          return mine;
        }),
      );
      const counts = await statusCounts(test.db, concurrent.id);
      expect(counts.running ?? 0).toBeLessThanOrEqual(3);
      const { rows } = await test.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM runs WHERE assistant_id = $1 AND started_at IS NOT NULL',
        [rated.id],
      );
      expect(rows[0]!.n).toBeLessThanOrEqual(5);
      await finish(
        test.db,
        results
          .flat()
          .filter((run) => run.assistant_id === concurrent.id)
          .map((run) => run.id),
        t0 + round,
      );
    }
    const { rows } = await test.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM runs WHERE assistant_id = $1 AND started_at IS NOT NULL',
      [rated.id],
    );
    expect(rows[0]!.n).toBe(5);
    expect((await statusCounts(test.db, concurrent.id)).success).toBeGreaterThanOrEqual(30);
  });
});
