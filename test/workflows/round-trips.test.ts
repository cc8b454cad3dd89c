import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database, Queryable, QueryResult } from '../../src/store/database.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { admin, logger } from './harness.ts';

/** The database with every round trip recorded (BEGIN and COMMIT too). */
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
  return {
    db: { ...db, ...wrap(db), transaction: <T>(fn: (tx: Queryable) => Promise<T>) => { log.push('BEGIN'); return db.transaction((tx) => fn(wrap(tx))).finally(() => log.push('COMMIT')); } },
    log,
  };
}

// The cost of a workflow step in database round trips: its start and its end are one statement
// each (the run_steps row and the trace event), and nothing is read between steps.
describe.each(databaseKinds)('round trips of a workflow run (%s)', (kind) => {
  let test: TestDatabase;
  let agent: HttpAgentServer;
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    agent = await startHttpAgentServer();
  });
  afterAll(async () => {
    await agent?.close();
    await test?.close();
  });

  it('a 5-step sequential workflow: 2 statements per step, 1 to begin, 1 to finish', async () => {
    const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
    const registry = createModuleRegistry([]);
    const assistant = await insertAssistant(test.db, { ownerId: localAdminId, name: 'agent', kind: 'http', config: { url: agent.url } });
    const workflows = new WorkflowService({ db: test.db, clock: systemClock, assistants: createAssistantService({ db: test.db, config, registry }), registry, startDeadlineMs: 300_000 });
    const workflow = await workflows.create(admin, {
      name: 'five',
      steps: Array.from({ length: 5 }, (_, i) => ({ type: 'step' as const, name: `s${i}`, assistant_id: assistant.id })),
    });
    const { db, log } = counted(test.db);
    const worker = new WorkerPool({
      db, clock: systemClock, logger, workerId: 'counted', pollIntervalMs: 60_000,
      config: { slots: 1, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
      execution: createAssistantExecution({ db, logger, config, registry }),
    });
    const between: number[] = [];
    let last = -1;
    agent.handle((request) => {
      if (last >= 0) between.push(log.length - last);
      last = log.length;
      return { body: { echo: (request.body as { input: unknown }).input } };
    });
    const run = await workflows.run(admin, workflow.id, { input: 'x' });
    log.length = 0;
    expect(await worker.tick()).toHaveLength(1);
    await worker.idle();
    await worker.close();
    expect(agent.requests).toHaveLength(5);
    // Between two calls: the previous step's end and the next one's start.
    expect(between).toEqual([2, 2, 2, 2]);
    const { rows } = await test.db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [run.id]);
    expect(rows[0]!.status).toBe('success');
    // After the claim's transaction: begin (1), preload the assistants (1), 5 × 2 for the steps, the finish (1).
    const afterClaim = log.slice(log.lastIndexOf('COMMIT') + 1);
    expect(afterClaim.length).toBe(1 + 1 + 5 * 2 + 1);
  });
});
