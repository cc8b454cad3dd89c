/**
 * `npm run bench:engine -- --mode workflow --schedules N`: N one-time schedules fire a 5-step
 * sequential workflow and N fire a 10-branch parallel one, all due in the same second, on the
 * replicas; every step is the `http` assistant against the local receiver. Printed:
 * - overhead per step as the agent sees it (the receiver answers at once): sequential = the
 *   arrival of a step's request − the arrival of the previous step's (its answer, the engine's
 *   work between the steps, the next request); parallel = the spread of a run's 10 branch requests;
 * - the same from run_steps timestamps (stamped as the engine records a start or an end, before
 *   its write): sequential = next step's start − previous step's end; parallel = branch start −
 *   the parallel node's start (fan-out) and the node's end − its last branch's end (fan-in);
 *   p50/p99/max in ms;
 * - database round trips per step, counted in process (the approach of
 *   test/workflows/round-trips.test.ts) on one 5-step run on the same PostgreSQL.
 */
import { createAssistantService } from '../src/agents/assistant-service.ts';
import { createAssistantExecution } from '../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../src/agents/module-registry.ts';
import { localAdminId, type Actor } from '../src/auth/actor.ts';
import { systemClock } from '../src/clock.ts';
import { createLogger } from '../src/logger.ts';
import type { Database, Queryable, QueryResult } from '../src/store/database.ts';
import { WorkerPool } from '../src/worker/worker-pool.ts';
import { WorkflowService } from '../src/workflows/workflow-service.ts';

/** What engine.ts lends this mode (its setup, replicas and helpers). */
export interface WorkflowBenchKit {
  schedules: number;
  db: Database;
  schema: string;
  assistantId: string;
  startReplicas(): Promise<unknown>;
  percentile(sorted: number[], p: number): number | null;
  sleep(ms: number): Promise<unknown>;
  /** The receiver's requests (arrival time, run id), in arrival order. */
  receipts: ReadonlyArray<{ at: number; runId: string }>;
}

const admin: Actor = { userId: localAdminId, role: 'admin' };
const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };

function stats(values: number[], percentile: WorkflowBenchKit['percentile']) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null };
}

/** Every statement counted, BEGIN/COMMIT included (as in test/workflows/round-trips.test.ts). */
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

/** Runs the workflow mode; engine.ts stops the replicas and drops the schema afterwards. */
export async function workflowBench(kit: WorkflowBenchKit): Promise<Record<string, unknown>> {
  const { db, assistantId } = kit;
  const registry = createModuleRegistry([]);
  const workflows = new WorkflowService({
    db,
    clock: systemClock,
    assistants: createAssistantService({ db, config, registry }),
    registry,
    startDeadlineMs: 300_000,
  });
  const step = (name: string) => ({ type: 'step' as const, name, assistant_id: assistantId });
  const sequential = await workflows.create(admin, {
    name: 'bench-sequential',
    steps: Array.from({ length: 5 }, (_, i) => step(`s${i}`)),
  });
  const parallel = await workflows.create(admin, {
    name: 'bench-parallel',
    steps: [{ type: 'parallel' as const, name: 'fan', steps: Array.from({ length: 10 }, (_, i) => step(`b${i}`)) }],
  });

  // Round trips: one sequential run in process, before the replicas exist (nobody else claims it).
  const { db: countedDb, log } = counted(db);
  const logger = createLogger('silent');
  const worker = new WorkerPool({
    db: countedDb,
    clock: systemClock,
    logger,
    workerId: 'bench-counted',
    pollIntervalMs: 60_000,
    config: { slots: 1, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
    execution: createAssistantExecution({ db: countedDb, logger, config, registry }),
  });
  await workflows.run(admin, sequential.id, { input: 'count' });
  log.length = 0;
  await worker.tick();
  await worker.idle();
  await worker.close();
  const afterClaim = log.slice(log.lastIndexOf('COMMIT') + 1).length;
  await db.query('DELETE FROM runs');

  await kit.startReplicas();
  await kit.sleep(2000);
  const due = new Date(Math.ceil((Date.now() + 5000) / 1000) * 1000);
  await db.query(
    `INSERT INTO schedules (owner_id, name, target_kind, workflow_id, kind, at, next_run_at, timeout_ms)
     SELECT $1, 'bench-wf-' || g, 'workflow', CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END, 'once', $4, $4, 60000
     FROM generate_series(0, $5::int - 1) AS g`,
    [localAdminId, sequential.id, parallel.id, due, kit.schedules * 2],
  );
  await db.query('SELECT pg_notify($1, $2)', [`${kit.schema}__schedules`, String(due.getTime())]);
  const expected = kit.schedules * 2;
  const deadline = due.getTime() + 120_000;
  let finished = 0;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM runs WHERE status IN ('success', 'error', 'timeout', 'cancelled', 'skipped')`,
    );
    finished = Number(rows[0]!.n);
    if (finished >= expected) break;
    await kit.sleep(200);
  }
  const { rows: statuses } = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM runs GROUP BY status',
  );
  const ms = (a: string, b: string) => `extract(epoch FROM (${a} - ${b})) * 1000`;
  const { rows: seq } = await db.query<{ gap: number }>(
    `SELECT ${ms('s.started_at', 'lag(s.finished_at) OVER w')}::float8 AS gap FROM run_steps s JOIN runs r ON r.id = s.run_id
     WHERE r.workflow_id = $1 AND s.parent_key IS NULL WINDOW w AS (PARTITION BY s.run_id ORDER BY s.ord, s.started_at)`,
    [sequential.id],
  );
  const { rows: fanOut } = await db.query<{ gap: number }>(
    `SELECT ${ms('b.started_at', 'p.started_at')}::float8 AS gap FROM run_steps b JOIN run_steps p ON p.run_id = b.run_id AND p.key = b.parent_key
     WHERE p.type = 'parallel'`,
  );
  const { rows: fanIn } = await db.query<{ gap: number }>(
    `SELECT ${ms('p.finished_at', 'max(b.finished_at)')}::float8 AS gap FROM run_steps b JOIN run_steps p ON p.run_id = b.run_id AND p.key = b.parent_key
     WHERE p.type = 'parallel' GROUP BY p.run_id, p.key, p.finished_at`,
  );
  const { rows: durations } = await db.query<{ wf: string; d: number }>(
    `SELECT CASE WHEN workflow_id = $1 THEN 'sequential' ELSE 'parallel' END AS wf, ${ms('finished_at', 'started_at')}::float8 AS d FROM runs WHERE finished_at IS NOT NULL`,
    [sequential.id],
  );
  const { rows: runIds } = await db.query<{ id: string; workflow_id: string }>('SELECT id, workflow_id FROM runs');
  const arrivals = new Map<string, number[]>();
  for (const receipt of kit.receipts) arrivals.set(receipt.runId, [...(arrivals.get(receipt.runId) ?? []), receipt.at]);
  const agentSequential: number[] = [];
  const agentSpread: number[] = [];
  for (const run of runIds) {
    const at = arrivals.get(run.id) ?? [];
    if (run.workflow_id === sequential.id)
      for (let i = 1; i < at.length; i++) agentSequential.push(at[i]! - at[i - 1]!);
    else if (at.length > 0) agentSpread.push(Math.max(...at) - Math.min(...at));
  }
  const gaps = (rows: Array<{ gap: number | null }>) => rows.map((r) => r.gap).filter((g): g is number => g !== null);
  return {
    schedules_per_workflow: kit.schedules,
    runs: { expected, finished, by_status: Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)])) },
    agent_side_ms: {
      sequential_between_requests: stats(agentSequential, kit.percentile),
      parallel_branch_spread: stats(agentSpread, kit.percentile),
    },
    overhead_ms: {
      sequential_between_steps: stats(gaps(seq), kit.percentile),
      parallel_fan_out: stats(gaps(fanOut), kit.percentile),
      parallel_fan_in: stats(gaps(fanIn), kit.percentile),
    },
    run_duration_ms: {
      sequential: stats(
        durations.filter((r) => r.wf === 'sequential').map((r) => r.d),
        kit.percentile,
      ),
      parallel: stats(
        durations.filter((r) => r.wf === 'parallel').map((r) => r.d),
        kit.percentile,
      ),
    },
    round_trips: {
      five_step_run_after_claim: afterClaim,
      per_step: (afterClaim - 3) / 5,
      note: 'begin 1 + preload 1 + finish 1 excluded from per_step',
    },
  };
}
