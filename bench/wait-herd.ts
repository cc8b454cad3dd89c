/**
 * `npm run bench:engine -- --mode wait --schedules N [--idle-waiting M]` (issue 20): runs that wait.
 *
 * - resume herd: N workflow runs (one `sleep` wait node) parked in `waiting` with their timers
 *   (`waits.until`) due at the same second, written directly in SQL the way park-run.ts leaves
 *   them; the replicas start before the due second; printed: time from the due instant to the
 *   last wait resolved (`waits.resolved_at`, the run left `waiting`), to the last resumed run
 *   claimed by a worker (`runs.started_at`, set at each claim: the counterpart of the start herd's
 *   last request received) and to the last run finished (`runs.finished_at`, `success`).
 * - idle: M waiting runs whose timers are a year away; CPU per replica over 30 s and its RSS.
 *
 * engine.ts prints these beside its `herd` figure (N new runs) and the load average; never asserts.
 */
import { createAssistantService } from '../src/agents/assistant-service.ts';
import { createModuleRegistry } from '../src/agents/module-registry.ts';
import { localAdminId, type Actor } from '../src/auth/actor.ts';
import { systemClock } from '../src/clock.ts';
import type { Database } from '../src/store/database.ts';
import { WorkflowService } from '../src/workflows/workflow-service.ts';

/** What engine.ts lends this mode. */
export interface WaitBenchKit {
  db: Database;
  startReplicas(): Promise<unknown>;
  sleep(ms: number): Promise<unknown>;
}

const admin: Actor = { userId: localAdminId, role: 'admin' };
const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
const nodeKey = 'steps[0]';
const nodeName = 'nap';

/**
 * Writes `count` runs of a one-node sleeping workflow as park-run.ts leaves them: `waiting`, no
 * lease, `waiting_for` set, and their `waits` row (kind `time`) due at `until`. The runs are
 * copies of one run created through the workflow service, so every column is what the product
 * writes.
 */
export async function insertWaitingRuns(db: Database, count: number, until: Date): Promise<void> {
  const registry = createModuleRegistry([]);
  const workflows = new WorkflowService({
    db,
    clock: systemClock,
    assistants: createAssistantService({ db, config, registry }),
    registry,
    startDeadlineMs: 300_000,
  });
  const workflow = await workflows.create(admin, {
    name: `bench-wait-${until.getTime()}`,
    steps: [{ type: 'wait', name: nodeName, sleep: '1h' }],
  });
  const prototype = await workflows.run(admin, workflow.id, {});
  const { rows: cols } = await db.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'runs'
       AND column_name NOT IN ('id', 'status', 'waiting_for', 'not_before', 'start_deadline', 'lease_owner', 'lease_expires_at')
       AND is_generated = 'NEVER'`,
  );
  const copied = cols.map((c) => `"${c.name}"`).join(', ');
  const since = new Date();
  const waitingFor = JSON.stringify({
    kind: 'time',
    node: nodeName,
    since: since.toISOString(),
    until: until.toISOString(),
  });
  for (let done = 0; done < count; done += 20_000) {
    const chunk = Math.min(20_000, count - done);
    await db.transaction(async (tx) => {
      await tx.query(
        `WITH r AS (
           INSERT INTO runs (${copied}, status, waiting_for, not_before)
           SELECT ${copied}, 'waiting', $2::jsonb, $3 FROM runs, generate_series(1, $4::int) WHERE id = $1
           RETURNING id
         )
         INSERT INTO waits (run_id, node_key, node_name, kind, since, until)
         SELECT r.id, $5, $6, 'time', $3, $7 FROM r`,
        [prototype.id, waitingFor, since, chunk, nodeKey, nodeName, until],
      );
    });
  }
  await db.query('DELETE FROM runs WHERE id = $1', [prototype.id]);
}

/** The resume herd: `count` timers due at one second, replicas already up. */
export async function resumeHerd(kit: WaitBenchKit, count: number): Promise<Record<string, unknown>> {
  const { db } = kit;
  await kit.startReplicas();
  await kit.sleep(2000);
  const due = new Date(Math.ceil((Date.now() + 8000) / 1000) * 1000);
  await insertWaitingRuns(db, count, due);
  const deadline = due.getTime() + 120_000;
  let counts = { waiting: count, success: 0 };
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ waiting: string; success: string }>(
      `SELECT count(*) FILTER (WHERE status = 'waiting') AS waiting, count(*) FILTER (WHERE status = 'success') AS success
       FROM runs`,
    );
    counts = { waiting: Number(rows[0]!.waiting), success: Number(rows[0]!.success) };
    if (counts.success >= count) break;
    await kit.sleep(100);
  }
  const ms = (column: string) => `(extract(epoch FROM (max(${column}) - $1::timestamptz)) * 1000)::float8`;
  const { rows: woke } = await db.query<{ last: number | null; woke: string }>(
    `SELECT ${ms('resolved_at')} AS last, count(resolved_at) AS woke FROM waits`,
    [due],
  );
  const { rows: finished } = await db.query<{ started: number | null; last: number | null }>(
    `SELECT ${ms('started_at')} AS started, ${ms('finished_at')} AS last FROM runs WHERE status = 'success'`,
    [due],
  );
  const { rows: statuses } = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*) AS n FROM runs GROUP BY status ORDER BY status',
  );
  return {
    waiting_runs: count,
    woken: Number(woke[0]!.woke),
    still_waiting: counts.waiting,
    last_left_waiting_after_ms: woke[0]!.last === null ? null : Math.round(woke[0]!.last),
    last_started_after_ms: finished[0]!.started === null ? null : Math.round(finished[0]!.started),
    last_finished_after_ms: finished[0]!.last === null ? null : Math.round(finished[0]!.last),
    statuses: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
  };
}
