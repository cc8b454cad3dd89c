import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { localAdminId } from '../../src/auth/actor.ts';
import { systemClock } from '../../src/clock.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import type { Database, Queryable, QueryResult } from '../../src/store/database.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import type { WorkflowNode } from '../../src/workflows/workflow-definition.ts';
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
    db: {
      ...db,
      ...wrap(db),
      transaction: <T>(fn: (tx: Queryable) => Promise<T>) => {
        log.push('BEGIN');
        return db.transaction((tx) => fn(wrap(tx))).finally(() => log.push('COMMIT'));
      },
    },
    log,
  };
}

// The cost of a workflow step in database round trips: a step's end and the next step's start go
// out as one statement (the run_steps rows and the trace events), a parallel node's start and its
// branches' starts as one, and nothing is read between steps.
describe.each(databaseKinds)('round trips of a workflow run (%s)', (kind) => {
  let test: TestDatabase;
  let agent: HttpAgentServer;
  let workflows: WorkflowService;
  let assistantId: string;
  const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
  const registry = createModuleRegistry([]);
  beforeAll(async () => {
    test = await createTestDatabase(kind);
    agent = await startHttpAgentServer();
    assistantId = (
      await insertAssistant(test.db, { ownerId: localAdminId, name: 'agent', kind: 'http', config: { url: agent.url } })
    ).id;
    workflows = new WorkflowService({
      db: test.db,
      clock: systemClock,
      assistants: createAssistantService({ db: test.db, config, registry }),
      registry,
      startDeadlineMs: 300_000,
    });
  });
  afterAll(async () => {
    await agent?.close();
    await test?.close();
  });

  /**
   * Runs the workflow on a counting worker; `at` = statements after the claim when each call
   * arrived. With `together`, no call is answered before that many have arrived.
   */
  async function counting(
    steps: WorkflowNode[],
    together = 1,
  ): Promise<{ at: number[]; afterClaim: string[]; status: string }> {
    const workflow = await workflows.create(admin, { name: `w${Math.random().toString(36).slice(2, 8)}`, steps });
    const { db, log } = counted(test.db);
    const worker = new WorkerPool({
      db,
      clock: systemClock,
      logger,
      workerId: 'counted',
      pollIntervalMs: 60_000,
      config: { slots: 1, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
      execution: createAssistantExecution({ db, logger, config, registry }),
    });
    const at: number[] = [];
    let arrived!: () => void;
    const all = new Promise<void>((resolve) => (arrived = resolve));
    agent.handle(async (request) => {
      at.push(log.length - (log.lastIndexOf('COMMIT') + 1));
      if (at.length % together === 0) arrived();
      await all;
      return { body: { echo: (request.body as { input: unknown }).input } };
    });
    const run = await workflows.run(admin, workflow.id, { input: 'x' });
    log.length = 0;
    expect(await worker.tick()).toHaveLength(1);
    await worker.idle();
    await worker.close();
    const { rows } = await test.db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [run.id]);
    return { at, afterClaim: log.slice(log.lastIndexOf('COMMIT') + 1), status: rows[0]!.status };
  }

  it('a 5-step sequential workflow: 1 statement per step (its end and the next start together), 1 to begin, 1 to finish', async () => {
    const { at, afterClaim, status } = await counting(
      Array.from({ length: 5 }, (_, i) => ({ type: 'step' as const, name: `s${i}`, assistant_id: assistantId })),
    );
    expect(status).toBe('success');
    // Before the first call: begin, with the assistants the steps name (1), the first start (1);
    // then one statement between two calls: the previous step's end with the next one's start.
    expect(at).toEqual([2, 3, 4, 5, 6]);
    // Then the last end (1) and the run's finish (1).
    expect(afterClaim.length).toBe(2 + 4 + 1 + 1);
  });

  it("a parallel node: its start and all its branches' starts are one statement", async () => {
    const branches = Array.from({ length: 4 }, (_, i) => ({
      type: 'step' as const,
      name: `b${i}`,
      assistant_id: assistantId,
    }));
    const { at, status } = await counting([{ type: 'parallel', name: 'fan', steps: branches }], branches.length);
    expect(status).toBe('success');
    expect(at).toEqual([2, 2, 2, 2]);
  });
});
