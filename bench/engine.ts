/**
 * Engine benchmark (prints JSON; not a pass/fail test). Needs PostgreSQL (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 *
 *   npm run bench:engine -- --schedules 10000 --replicas 2 --seconds 60 [--mode fire|herd|idle|workflow|wait|all] [--slots N]
 *
 * Replicas run with the product's defaults (what users get) unless told otherwise:
 * KAIROS_WORKER_SLOTS = --slots and KAIROS_DB_POOL_SIZE = BENCH_POOL only when given.
 *
 * herd and fire also measure the machine's floor in the same run (bench/floor.ts): the same
 * burst of POSTs (same count, concurrency replicas × slots, keep-alive node:http) to the same
 * receiver, and one bare INSERT … RETURNING + UPDATE per run; every figure has its ratio to it.
 *
 * fire: N schedules with 6-field crons (`S * * * * *`, S = i mod 60: once a minute, spread over
 *       the minute) executed by the `http` assistant against a local receiver; fire lag = receipt
 *       time − scheduled time; occurrences expected/fired/duplicated/missing; CPU and RSS per replica.
 * herd: N one-time schedules due in the same second; time until the last one is received.
 * idle: N schedules none of which is due; CPU per replica.
 * workflow: N schedules fire a 5-step sequential workflow and N a 10-branch parallel one (steps
 *       are the http assistant against the receiver); overhead per step from run_steps timestamps
 *       and database round trips per step (bench/workflow-mode.ts).
 * wait: the herd above (N new runs), then N waiting runs whose timers are due in the same second
 *       (time until the last resumed, and its ratio to the herd's), then --idle-waiting runs
 *       (default 100000) waiting on timers a year away: CPU and RSS per replica over 30 s
 *       (bench/wait-herd.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { occurrenceAfter } from '../src/scheduler/next-fire.ts';
import { quoteIdent, type Database } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres-driver.ts';
import { loadConfig } from '../src/config.ts';
import { databaseFloor, postFloor, ratioToFloor, type FloorResult } from './floor.ts';
import { startReceiver } from './receiver.ts';
import { insertWaitingRuns, resumeHerd } from './wait-herd.ts';
import { workflowBench } from './workflow-mode.ts';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '10000' },
    replicas: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '60' },
    mode: { type: 'string', default: 'fire' },
    slots: { type: 'string' },
    'idle-schedules': { type: 'string', default: '100000' },
    'idle-waiting': { type: 'string', default: '100000' },
  },
});
const N = Number(values.schedules);
const R = Number(values.replicas);
const S = Number(values.seconds);
// The product's defaults unless the run says otherwise, so that the figures are what users get.
const productDefaults = loadConfig({});
const slots = values.slots === undefined ? productDefaults.worker.slots : Number(values.slots);
const pool = process.env.BENCH_POOL === undefined ? productDefaults.database.poolSize : Number(process.env.BENCH_POOL);
const tuning = {
  ...(values.slots !== undefined && { KAIROS_WORKER_SLOTS: values.slots }),
  ...(process.env.BENCH_POOL !== undefined && { KAIROS_DB_POOL_SIZE: process.env.BENCH_POOL }),
};
const url =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const bin = fileURLToPath(new URL('../bin/kairos.js', import.meta.url));
const adminId = '00000000-0000-0000-0000-000000000001';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Receipt {
  at: number;
  scheduleId: string;
  scheduledFor: number;
  runId: string;
}

async function receiver(): Promise<{ url: string; receipts: Receipt[]; close(): Promise<void> }> {
  const receipts: Receipt[] = [];
  const rx = await startReceiver((body, at) => {
    const run = body as { run_id: string; schedule_id: string; scheduled_for: string; floor?: boolean };
    if (!run.floor)
      receipts.push({
        at,
        scheduleId: run.schedule_id,
        scheduledFor: Date.parse(run.scheduled_for),
        runId: run.run_id,
      });
  });
  return { ...rx, receipts };
}

async function setup(target: string): Promise<{ db: Database; schema: string; assistantId: string }> {
  const schema = `bench_${randomUUID().slice(0, 8)}`;
  const db = openPostgres({ connectionString: url, schema, poolSize: 4 });
  await migrate(db);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'receiver', 'http', $2) RETURNING id`,
    [adminId, JSON.stringify({ url: target })],
  );
  return { db, schema, assistantId: rows[0]!.id };
}

/** Inserts schedules in chunks: kind, cron or at, next_run_at computed here. */
async function insertSchedules(
  db: Database,
  assistantId: string,
  rows: Array<{ cron: string | null; at: Date | null; next: Date }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    await db.query(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, at, next_run_at, timeout_ms)
       SELECT $1, 'bench-' || (u.ord + $5), $2, CASE WHEN u.cron IS NULL THEN 'once' ELSE 'cron' END, u.cron, u.at, u.next, 30000
       FROM unnest($3::text[], $4::timestamptz[], $6::timestamptz[]) WITH ORDINALITY AS u(cron, at, next, ord)`,
      [adminId, assistantId, chunk.map((r) => r.cron), chunk.map((r) => r.at), i, chunk.map((r) => r.next)],
    );
  }
}

interface Replica {
  child: ChildProcess;
  pid: number;
}

// Replicas must not outlive the benchmark (a crash would leave them holding connections).
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startReplicas(schema: string): Promise<Replica[]> {
  return Promise.all(
    Array.from(
      { length: R },
      () =>
        new Promise<Replica>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), bin, 'serve'],
            {
              env: {
                ...process.env,
                DATABASE_URL: url,
                KAIROS_DB_SCHEMA: schema,
                KAIROS_ROLES: 'scheduler,worker',
                KAIROS_LOG_LEVEL: 'info',
                KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
                KAIROS_HTTP_ALLOW_PRIVATE: 'true',
                ...tuning,
              },
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          children.add(child);
          child.once('exit', () => children.delete(child));
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('started without the api role')) resolve({ child, pid: child.pid! });
          });
          child.once('exit', (code) => reject(new Error(`replica exited with ${code}: ${out}`)));
        }),
    ),
  );
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
}
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}
async function measureCpu(
  replicas: Replica[],
  ms: number,
): Promise<Array<{ cpu_percent_of_core: number; rss_mb: number }>> {
  const before = replicas.map((r) => cpuTicks(r.pid));
  const started = Date.now();
  await sleep(ms);
  const elapsed = (Date.now() - started) / 1000;
  return replicas.map((r, i) => ({
    cpu_percent_of_core: Math.round(((cpuTicks(r.pid) - before[i]!) / elapsed) * 100) / 100,
    rss_mb: rssMb(r.pid),
  }));
}

async function stop(replicas: Replica[], db: Database, schema: string): Promise<void> {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise((resolve) => {
          r.child.once('exit', resolve);
          r.child.kill('SIGTERM');
        }),
    ),
  );
  if (!process.env.BENCH_KEEP) await db.exec(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
  else console.error(`kept schema ${schema}`);
  await db.close();
}

const loadAverage = () => loadavg().map((n) => Math.round(n * 100) / 100);
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The floor of a burst of `count` POSTs to `target` at the replicas' concurrency, and of its rows. */
async function floorOf(
  target: string,
  count: number,
  repeat = 1,
): Promise<{ post: FloorResult; database: FloorResult }> {
  const concurrency = R * slots;
  const posts: FloorResult[] = [];
  for (let i = 0; i < repeat; i++) posts.push(await postFloor({ url: target, count, concurrency, client: 'http' }));
  // The median burst of `repeat` (fire: one burst per second, so the typical one is the floor).
  posts.sort((a, b) => a.total_ms - b.total_ms);
  const database = await databaseFloor({ connectionString: url, count, concurrency: Math.min(R * pool, 40) });
  return { post: posts[Math.floor(posts.length / 2)]!, database };
}

async function fire(): Promise<Record<string, unknown>> {
  const rx = await receiver();
  const { db, schema, assistantId } = await setup(rx.url);
  const now = Date.now();
  const crons = Array.from({ length: N }, (_, i) => `${i % 60} * * * * *`);
  const spec = (cron: string) => ({
    kind: 'cron' as const,
    cron,
    timezone: 'UTC',
    atMs: null,
    everyMs: null,
    anchorMs: null,
    startMs: null,
    endMs: null,
  });
  await insertSchedules(
    db,
    assistantId,
    crons.map((cron) => ({ cron, at: null, next: new Date(occurrenceAfter(spec(cron), now)!) })),
  );
  // The floor of one second's burst (N/60 POSTs), before the replicas compete for the machine.
  const floor = await floorOf(rx.url, Math.ceil(N / 60), 9);
  const replicas = await startReplicas(schema);
  const windowStart = Math.ceil((Date.now() + 5000) / 1000) * 1000;
  const windowEnd = windowStart + S * 1000;
  await sleep(windowStart - Date.now());
  const cpu = await measureCpu(replicas, S * 1000);
  await sleep(3000);
  const expected = new Set<string>();
  for (const cron of crons) {
    for (
      let t = occurrenceAfter(spec(cron), windowStart - 1);
      t !== null && t < windowEnd;
      t = occurrenceAfter(spec(cron), t)
    )
      expected.add(`${cron}@${t}`);
  }
  const { rows } = await db.query<{ id: string; cron: string }>('SELECT id, cron FROM schedules');
  const cronOf = new Map(rows.map((row) => [row.id, row.cron]));
  const seen = new Map<string, number>();
  const lags: number[] = [];
  for (const receipt of rx.receipts) {
    if (receipt.scheduledFor < windowStart || receipt.scheduledFor >= windowEnd) continue;
    const key = `${cronOf.get(receipt.scheduleId)}@${receipt.scheduledFor}`;
    // Occurrences are per schedule: key by schedule id for duplicates, by cron for expectation counts.
    const occurrence = `${receipt.scheduleId}@${receipt.scheduledFor}`;
    seen.set(occurrence, (seen.get(occurrence) ?? 0) + 1);
    if (expected.has(key)) lags.push(receipt.at - receipt.scheduledFor);
  }
  if (process.env.BENCH_DEBUG) {
    const bySecond = new Map<number, number[]>();
    for (const r of rx.receipts)
      bySecond.set(r.scheduledFor, [...(bySecond.get(r.scheduledFor) ?? []), r.at - r.scheduledFor]);
    for (const [t, l] of [...bySecond].sort((a, b) => a[0] - b[0])) {
      l.sort((a, b) => a - b);
      console.error(new Date(t).toISOString().slice(17, 23), l.length, l[0], l[Math.floor(l.length / 2)], l.at(-1));
    }
  }
  lags.sort((a, b) => a - b);
  const expectedCount = crons.reduce((sum, cron) => {
    let n = 0;
    for (
      let t = occurrenceAfter(spec(cron), windowStart - 1);
      t !== null && t < windowEnd;
      t = occurrenceAfter(spec(cron), t)
    )
      n++;
    return sum + n;
  }, 0);
  const fired = seen.size;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + (n > 1 ? n - 1 : 0), 0);
  await stop(replicas, db, schema);
  await rx.close();
  return {
    mode: 'fire',
    schedules: N,
    replicas: R,
    seconds: S,
    slots,
    pool,
    load: loadAverage(),
    lag_ms: {
      p50: percentile(lags, 50),
      p95: percentile(lags, 95),
      p99: percentile(lags, 99),
      max: lags.at(-1) ?? null,
    },
    floor,
    // The p99 lag against the time a bare client takes to send the whole burst of one second.
    ratio_to_floor: {
      p50: ratioToFloor(percentile(lags, 50), floor.post.total_ms),
      p99: ratioToFloor(percentile(lags, 99), floor.post.total_ms),
      max: ratioToFloor(lags.at(-1), floor.post.total_ms),
    },
    occurrences: { expected: expectedCount, fired, duplicated, missing: expectedCount - fired },
    fires_per_second: Math.round((fired / S) * 10) / 10,
    per_replica: cpu,
  };
}

async function herd(): Promise<Record<string, unknown>> {
  const rx = await receiver();
  const { db, schema, assistantId } = await setup(rx.url);
  const floor = await floorOf(rx.url, N);
  const replicas = await startReplicas(schema);
  await sleep(2000);
  const due = Math.ceil((Date.now() + 8000) / 1000) * 1000;
  await insertSchedules(
    db,
    assistantId,
    Array.from({ length: N }, () => ({ cron: null, at: new Date(due), next: new Date(due) })),
  );
  await db.query('SELECT pg_notify($1, $2)', [`${schema}__schedules`, String(due)]);
  const deadline = due + 60_000;
  while (rx.receipts.length < N && Date.now() < deadline) await sleep(50);
  const last = Math.max(...rx.receipts.map((r) => r.at));
  const lags = rx.receipts.map((r) => r.at - r.scheduledFor).sort((a, b) => a - b);
  const unique = new Set(rx.receipts.map((r) => r.runId)).size;
  await stop(replicas, db, schema);
  await rx.close();
  return {
    mode: 'herd',
    schedules: N,
    replicas: R,
    slots,
    pool,
    load: loadAverage(),
    received: rx.receipts.length,
    unique,
    missing: N - unique,
    last_received_after_ms: last - due,
    lag_ms: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
    floor,
    ratio_to_floor: {
      last_received: ratioToFloor(last - due, floor.post.total_ms),
      database: ratioToFloor(last - due, floor.database.total_ms),
    },
  };
}

async function idle(): Promise<Record<string, unknown>> {
  const count = Number(values['idle-schedules']);
  const rx = await receiver();
  const { db, schema, assistantId } = await setup(rx.url);
  const far = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1));
  await insertSchedules(
    db,
    assistantId,
    Array.from({ length: count }, () => ({ cron: '0 0 1 1 *', at: null, next: far })),
  );
  const replicas = await startReplicas(schema);
  await sleep(3000);
  const cpu = await measureCpu(replicas, Math.min(S, 30) * 1000);
  await stop(replicas, db, schema);
  await rx.close();
  return { mode: 'idle', schedules: count, replicas: R, load: loadAverage(), per_replica: cpu };
}

async function workflow(): Promise<Record<string, unknown>> {
  const rx = await receiver();
  const { db, schema, assistantId } = await setup(rx.url);
  let replicas: Replica[] = [];
  const result = await workflowBench({
    schedules: N,
    db,
    schema,
    assistantId,
    percentile,
    sleep,
    receipts: rx.receipts,
    startReplicas: async () => (replicas = await startReplicas(schema)),
  });
  await stop(replicas, db, schema);
  await rx.close();
  return { mode: 'workflow', replicas: R, slots, load: loadAverage(), ...result };
}

async function wait(): Promise<Record<string, unknown>> {
  const start = await herd();
  const resume = await (async () => {
    const { db, schema } = await setup('http://127.0.0.1:9/unused');
    let replicas: Replica[] = [];
    const result = await resumeHerd(
      { db, sleep, startReplicas: async () => (replicas = await startReplicas(schema)) },
      N,
    );
    await stop(replicas, db, schema);
    return result;
  })();
  const count = Number(values['idle-waiting']);
  const { db, schema } = await setup('http://127.0.0.1:9/unused');
  await insertWaitingRuns(db, count, new Date(Date.now() + 365 * 86_400_000));
  const replicas = await startReplicas(schema);
  await sleep(3000);
  const cpu = await measureCpu(replicas, Math.min(S, 30) * 1000);
  await stop(replicas, db, schema);
  const startLast = start.last_received_after_ms as number;
  const resumed = resume.last_started_after_ms as number | null;
  const finished = resume.last_finished_after_ms as number | null;
  const ratio = (ms: number | null) => (ms === null ? null : Math.round((ms / startLast) * 100) / 100);
  return {
    mode: 'wait',
    runs: N,
    replicas: R,
    slots,
    pool,
    load: loadAverage(),
    start_herd: { last_received_after_ms: startLast, missing: start.missing, load: start.load },
    resume_herd: resume,
    // Target: <= 1 (the resume herd no slower than the start herd): last resumed run claimed, and finished.
    resume_to_start_ratio: { started: ratio(resumed), finished: ratio(finished) },
    // Target: cpu_percent_of_core < 1 on every replica.
    idle: { waiting_runs: count, seconds: Math.min(S, 30), per_replica: cpu },
  };
}

const modes = values.mode === 'all' ? ['fire', 'herd', 'idle', 'workflow'] : [values.mode!];
for (const mode of modes) {
  const result =
    mode === 'fire'
      ? await fire()
      : mode === 'herd'
        ? await herd()
        : mode === 'workflow'
          ? await workflow()
          : mode === 'wait'
            ? await wait()
            : await idle();
  console.log(JSON.stringify(result));
}
