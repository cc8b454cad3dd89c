import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { createMetrics } from '../../src/metrics.ts';
import { Scheduler } from '../../src/scheduler/scheduler-loop.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database, Queryable, QueryResult } from '../../src/store/database.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { logger, ManualClock } from './harness.ts';

/** The database as the engine sees it, with every round trip recorded (BEGIN and COMMIT too). */
function counted(db: Database): { db: Database; log: string[] } {
  const log: string[] = [];
  const wrap = (q: Queryable): Queryable => ({
    query<Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      log.push(text);
      return q.query<Row>(text, params);
    },
    exec(text: string): Promise<void> {
      log.push(text);
      return q.exec(text);
    },
  });
  const wrapped: Database = {
    ...db,
    ...wrap(db),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      log.push('BEGIN');
      return db.transaction((tx) => fn(wrap(tx))).finally(() => log.push('COMMIT'));
    },
  };
  return { db: wrapped, log };
}

// The cost of one scheduled http run in database round trips (docs/performance.md): the claim is
// one transaction, nothing is read between the claim and the POST, the finish is one statement.
describe.each(databaseKinds)('round trips of a scheduled run (%s)', (kind) => {
  let test: TestDatabase;
  let server: AssistantServer;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    server = await startAssistantServer();
  });
  afterAll(async () => {
    await server.close();
    await test.close();
  });

  it('claim: one transaction of 3 statements; POST with no statement before it; finish: 1 statement; metrics recorded', async () => {
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'echo',
      kind: 'http',
      config: { url: server.url },
    });
    const due = Date.parse('2030-01-01T00:00:00Z');
    await test.db.query(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, next_run_at, timeout_ms, session_mode, on_run_completed)
       VALUES ($1, 'counted', $2, 'cron', '0 0 1 1 *', $3, 30000, 'new', 'delete')`,
      [localAdminId, assistant.id, new Date(due)],
    );
    const clock = new ManualClock(due - 1000);
    const metrics = createMetrics();
    const { db, log } = counted(test.db);
    const scheduler = new Scheduler({
      db,
      clock,
      logger,
      metrics,
      config: { lookaheadMs: 1500, batchSize: 100, pollIntervalMs: 60_000, maxCatchupPerPass: 10 },
      startDeadlineMs: 300_000,
    });
    expect(await scheduler.tick()).toMatchObject({ claimed: 1, created: 1 });
    const execution = createAssistantExecution({
      db,
      logger,
      config: { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 },
    });
    const worker = new WorkerPool({
      db,
      clock,
      logger,
      metrics,
      execution,
      workerId: 'counted',
      pollIntervalMs: 60_000,
      config: { slots: 4, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
    });
    let beforePost = -1;
    server.behave(() => {
      beforePost = log.length;
      return { kind: 'ok' };
    });
    clock.set(due);
    log.length = 0;
    expect(await worker.tick()).toHaveLength(1);
    const claim = log.length;
    await worker.idle();
    await worker.close();

    // maintenance (recovery, start deadlines) runs in tick() too: count from the claim's BEGIN.
    const start = log.lastIndexOf('BEGIN', claim - 1);
    expect(log.slice(start, claim)).toHaveLength(5); // BEGIN, candidates + locks, running runs, lease + event + assistant, COMMIT
    expect(beforePost).toBe(claim); // no statement between the claim and the POST
    const after = log.slice(claim);
    expect(after).toHaveLength(1); // the finish
    expect(after[0]).toMatch(/attempt_finished/);
    expect(log.some((text) => /threads/.test(text))).toBe(false); // http, session new, delete: no throwaway thread

    const { rows } = await test.db.query<{ status: string; events: string[] }>(
      `SELECT r.status, array_agg(e.kind ORDER BY e.seq) AS events FROM runs r JOIN run_events e ON e.run_id = r.id GROUP BY r.id`,
    );
    expect(rows).toEqual([{ status: 'success', events: ['attempt_started', 'attempt_finished'] }]);
    const text = await metrics.text();
    expect(text).toMatch(/kairos_fires_total 1/);
    expect(text).toMatch(/kairos_runs_total\{status="success"\} 1/);
    expect(text).toMatch(/kairos_fire_lag_ms_count 1/);
    expect(text).toMatch(/kairos_claim_batch_size_count 1/);
  });
});
