/**
 * Scaling benchmark (prints JSON; not a pass/fail test): what one scheduled `http` run costs the
 * database, and what grows with history. Needs PostgreSQL (BENCH_DATABASE_URL or
 * TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); creates a scratch database
 * (so that its counters are its own) and drops it at the end.
 *
 *   npm run bench:scaling -- [--runs 2000] [--history 1000000] [--slots 64]
 *
 * per_run: --runs one-time schedules due at the same instant, fired by one in-process scheduler
 *   and worker (the `http` assistant POSTing to a local receiver). Statements: every query the
 *   engine sends, counted at the Database seam (BEGIN/COMMIT counted for each transaction);
 *   pg_stat_statements is not loaded on this server. Rows written: pg_stat_database
 *   tup_inserted + tup_updated + tup_deleted of the scratch database. WAL: the records of the
 *   scratch database's relations and transactions, read with pg_walinspect (the server is shared,
 *   so the plain pg_current_wal_lsn() difference, also printed, includes other databases' WAL).
 * history: --history finished runs (2 events each) inserted with INSERT … SELECT generate_series
 *   into a schema created by migrate(), spread over 30 days; then table and index sizes, and the
 *   time of the claim, the run lists and retention (pruneRuns) at that size.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAssistantExecution } from '../src/agents/execute-assistant.ts';
import { localAdminId } from '../src/auth/actor.ts';
import { systemClock } from '../src/clock.ts';
import { createLogger } from '../src/logger.ts';
import { pruneRuns } from '../src/store/prune-runs.ts';
import { Scheduler } from '../src/scheduler/scheduler-loop.ts';
import type { Database, Queryable } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres-driver.ts';
import { listRuns } from '../src/store/runs.ts';
import { claimRuns } from '../src/worker/claim-runs.ts';
import { WorkerPool } from '../src/worker/worker-pool.ts';
import { startReceiver } from './receiver.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    history: { type: 'string', default: '1000000' },
    slots: { type: 'string', default: '64' },
  },
});
const runCount = Number(values.runs);
const historyCount = Number(values.history);
const slots = Number(values.slots);
const baseUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scratchName = `kairos_scaling_${randomBytes(4).toString('hex')}`;
const scratchUrl = (() => {
  const u = new URL(baseUrl);
  u.pathname = `/${scratchName}`;
  return u.toString();
})();
const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Counts the statements sent through a Database (and through its transactions). */
function counting(db: Database, counter: { statements: number }): Database {
  const wrap = <T extends Queryable>(target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (property === 'query' || property === 'exec') {
          return (...args: unknown[]) => {
            counter.statements++;
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        if (property === 'transaction') {
          return (fn: (tx: Queryable) => Promise<unknown>) => {
            counter.statements += 2;
            return (value as Database['transaction']).call(t, (tx) => fn(wrap(tx)));
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
      },
    });
  return wrap(db);
}

async function withClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface Counters {
  inserted: number;
  updated: number;
  deleted: number;
  commits: number;
  lsn: string;
}

async function counters(): Promise<Counters> {
  return withClient(scratchUrl, async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{
      inserted: string;
      updated: string;
      deleted: string;
      commits: string;
      lsn: string;
    }>(
      `SELECT tup_inserted AS inserted, tup_updated AS updated, tup_deleted AS deleted, xact_commit AS commits, pg_current_wal_lsn()::text AS lsn
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    const r = rows[0]!;
    return {
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      deleted: Number(r.deleted),
      commits: Number(r.commits),
      lsn: r.lsn,
    };
  });
}

/** WAL bytes of this database's relations and of the transactions that touched them, between two LSNs. */
async function walOf(from: string, to: string): Promise<{ own: number; cluster: number }> {
  return withClient(scratchUrl, async (client) => {
    const { rows } = await client.query<{ own: string | null; cluster: string }>(
      `WITH w AS (SELECT * FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)),
         mine AS (SELECT DISTINCT xid FROM w WHERE block_ref LIKE '%/' || $3 || '/%' AND xid <> '0')
       SELECT (SELECT sum(record_length) FROM w WHERE block_ref LIKE '%/' || $3 || '/%' OR xid IN (SELECT xid FROM mine)) AS own,
         pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::text AS cluster`,
      [from, to, String(await databaseOid(client))],
    );
    return { own: Number(rows[0]!.own ?? 0), cluster: Number(rows[0]!.cluster) };
  });
}

async function databaseOid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ oid: number }>(
    'SELECT oid FROM pg_database WHERE datname = current_database()',
  );
  return rows[0]!.oid;
}

async function receiver(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let received = 0;
  const rx = await startReceiver(() => received++);
  return { ...rx, count: () => received };
}

async function perRun(): Promise<Record<string, unknown>> {
  const target = await receiver();
  const schema = 'kairos_per_run';
  const setupDb = openPostgres({ connectionString: scratchUrl, schema, poolSize: 2 });
  await migrate(setupDb);
  const { rows } = await setupDb.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'receiver', 'http', $2) RETURNING id`,
    [localAdminId, JSON.stringify({ url: target.url })],
  );
  const due = new Date(Date.now() + 4000);
  await setupDb.query(
    `INSERT INTO schedules (owner_id, name, assistant_id, kind, at, next_run_at, timeout_ms)
     SELECT $1, 'bench-' || g, $2, 'once', $3, $3, 30000 FROM generate_series(1, $4) g`,
    [localAdminId, rows[0]!.id, due, runCount],
  );
  await setupDb.close();
  const before = await counters();

  const counter = { statements: 0 };
  const raw = openPostgres({ connectionString: scratchUrl, schema, poolSize: 8 });
  const db = counting(raw, counter);
  const scheduler = new Scheduler({
    db,
    clock: systemClock,
    logger,
    config: { lookaheadMs: 1500, batchSize: 500, pollIntervalMs: 2000, maxCatchupPerPass: 100 },
    startDeadlineMs: 300_000,
  });
  const execution = createAssistantExecution({
    db,
    logger,
    config: { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 },
  });
  const worker = new WorkerPool({
    db,
    clock: systemClock,
    logger,
    workerId: 'bench-1',
    pollIntervalMs: 2000,
    execution,
    config: { slots, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 5_000, startDeadlineMs: 300_000 },
  });
  await worker.start();
  await scheduler.start();
  const started = Date.now();
  for (;;) {
    const { rows: done } = await raw.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM runs WHERE status = 'success'`,
    );
    if (done[0]!.n >= runCount) break;
    if (Date.now() - started > 600_000)
      throw new Error(`only ${done[0]!.n} of ${runCount} runs finished in 10 minutes`);
    await sleep(200);
  }
  const statements = counter.statements;
  await scheduler.close();
  await worker.close();
  const { rows: final } = await raw.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM runs GROUP BY 1',
  );
  await raw.close();
  await target.close();
  // Backends flush their statistics as they exit; give the collector a moment.
  await sleep(1500);
  const after = await counters();
  const wal = await walOf(before.lsn, after.lsn);
  const rowsWritten =
    after.inserted + after.updated + after.deleted - (before.inserted + before.updated + before.deleted);
  return {
    runs: runCount,
    received: target.count(),
    statuses: Object.fromEntries(final.map((r) => [r.status, r.n])),
    statements_per_run: round(statements / runCount, 2),
    commits_per_run: round((after.commits - before.commits) / runCount, 2),
    rows_written_per_run: round(rowsWritten / runCount, 2),
    rows: {
      inserted: after.inserted - before.inserted,
      updated: after.updated - before.updated,
      deleted: after.deleted - before.deleted,
    },
    wal_bytes_per_run: Math.round(wal.own / runCount),
    wal_bytes_per_run_cluster_upper_bound: Math.round(wal.cluster / runCount),
    note: 'statements include the idle passes of the scheduler and worker while the herd was due',
  };
}

async function timed<T>(times: number, fn: () => Promise<T>): Promise<{ median_ms: number; max_ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    median_ms: round(samples[Math.floor(samples.length / 2)]!, 2),
    max_ms: round(samples[samples.length - 1]!, 2),
  };
}

async function history(): Promise<Record<string, unknown>> {
  const schema = 'kairos_history';
  const db = openPostgres({ connectionString: scratchUrl, schema, poolSize: 2 });
  await migrate(db);
  const { rows: a } = await db.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'receiver', 'http', '{"url":"http://127.0.0.1:9/"}') RETURNING id`,
    [localAdminId],
  );
  const assistantId = a[0]!.id;
  const now = Date.now();
  await db.query(
    `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, next_run_at, timeout_ms)
     SELECT $1, 'hist-' || g, $2, 'cron', '0 0 1 1 *', $3, 30000 FROM generate_series(1, 1000) g`,
    [localAdminId, assistantId, new Date(now + 86_400_000 * 300)],
  );
  const insertStarted = performance.now();
  const chunk = 100_000;
  const spanMs = 30 * 86_400_000;
  for (let from = 0; from < historyCount; from += chunk) {
    const to = Math.min(historyCount, from + chunk) - 1;
    // Run g: schedule g mod 1000, scheduled (30 days × g / N) ago, 100 ms to start, 200 ms long.
    await db.query(
      `WITH s AS (SELECT array_agg(id ORDER BY name) AS ids FROM schedules),
       r AS (
         INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, scheduled_for, not_before, status, input, output,
           created_at, started_at, finished_at, duration_ms, run_number, lease_owner)
         SELECT s.ids[1 + g % 1000], $2, $1, 'schedule', t, t, 'success', '"daily report"'::jsonb, '{"ok":true,"summary":"done"}'::jsonb,
           t, t + interval '100 ms', t + interval '300 ms', 200, g / 1000 + 1, NULL
         FROM s, generate_series($3::int, $4::int) g, LATERAL (SELECT $5::timestamptz - make_interval(secs => ($6::float8 * g / $7) / 1000) AS t) x
         RETURNING id, started_at, finished_at
       )
       INSERT INTO run_events (run_id, seq, at, kind, data)
       SELECT id, 1, started_at, 'attempt_started', '{"attempt":1,"worker":"replica-1"}'::jsonb FROM r
       UNION ALL
       SELECT id, 2, finished_at, 'attempt_finished', '{"attempt":1,"status":"success","error":null,"error_kind":null}'::jsonb FROM r`,
      [localAdminId, assistantId, from, to, new Date(now), spanMs, historyCount],
    );
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  await db.exec('ANALYZE runs; ANALYZE run_events;');

  const { rows: tables } = await db.query<{ name: string; table_bytes: string; indexes_bytes: string; rows: string }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS table_bytes, pg_indexes_size(c.oid)::text AS indexes_bytes, c.reltuples::bigint::text AS rows
     FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relname IN ('runs', 'run_events') ORDER BY 1`,
    [schema],
  );
  const { rows: indexes } = await db.query<{ table: string; name: string; bytes: string }>(
    `SELECT t.relname AS table, i.relname AS name, pg_relation_size(i.oid)::text AS bytes
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = $1::regnamespace AND t.relname IN ('runs', 'run_events') ORDER BY pg_relation_size(i.oid) DESC`,
    [schema],
  );
  const mb = (bytes: string | number) => round(Number(bytes) / 1048576, 1);

  // The claim with nothing due (an idle pass), and with 64 due runs that it starts.
  const idleClaim = await timed(30, () =>
    claimRuns(db, { now: Date.now(), limit: 64, workerId: 'bench', leaseMs: 30_000, aheadMs: 200 }),
  );
  const busySamples: number[] = [];
  for (let i = 0; i < 10; i++) {
    await db.query(
      `INSERT INTO runs (assistant_id, owner_id, trigger, not_before, status, input) SELECT $2, $1, 'api', now(), 'pending', '{}'::jsonb FROM generate_series(1, 64)`,
      [localAdminId, assistantId],
    );
    const t = performance.now();
    const result = await claimRuns(db, { now: Date.now() + 1000, limit: 64, workerId: 'bench', leaseMs: 30_000 });
    busySamples.push(performance.now() - t);
    await db.query(
      `UPDATE runs SET status = 'success', finished_at = now(), lease_owner = NULL WHERE id = ANY($1::uuid[])`,
      [result.started.map((r) => r.id)],
    );
  }
  busySamples.sort((x, y) => x - y);
  const busyClaim = { median_ms: round(busySamples[5]!, 2), max_ms: round(busySamples[9]!, 2) };
  const { rows: oneSchedule } = await db.query<{ id: string }>(`SELECT id FROM schedules ORDER BY name LIMIT 1`);
  const scheduleList = await timed(20, () => listRuns(db, { scheduleId: oneSchedule[0]!.id, limit: 50, offset: 0 }));
  const ownerList = await timed(20, () => listRuns(db, { ownerId: localAdminId, limit: 50, offset: 0 }));
  const deepPage = await timed(5, () => listRuns(db, { ownerId: localAdminId, limit: 50, offset: 100_000 }));
  // Retention at 29 days deletes the oldest day (~1/30 of the history) with its events.
  const pruneStarted = performance.now();
  const pruned = await pruneRuns(db, { now, retentionDays: 29, batchSize: 500, maxBatches: 1_000_000 });
  const pruneSeconds = (performance.now() - pruneStarted) / 1000;
  await db.exec(`DROP SCHEMA ${schema} CASCADE`);
  await db.close();
  return {
    runs: historyCount,
    events: historyCount * 2,
    insert_seconds: round(insertSeconds),
    tables: tables.map((t) => ({
      name: t.name,
      rows: Number(t.rows),
      table_mb: mb(t.table_bytes),
      indexes_mb: mb(t.indexes_bytes),
    })),
    indexes: indexes.map((i) => ({ table: i.table, name: i.name, mb: mb(i.bytes) })),
    bytes_per_run_with_events: Math.round(
      tables.reduce((sum, t) => sum + Number(t.table_bytes) + Number(t.indexes_bytes), 0) / historyCount,
    ),
    claim_idle: idleClaim,
    claim_64_due: busyClaim,
    list_runs_of_schedule_newest_50: scheduleList,
    list_runs_of_owner_newest_50: ownerList,
    list_runs_of_owner_offset_100000: deepPage,
    prune: { deleted: pruned, seconds: round(pruneSeconds), runs_per_second: Math.round(pruned / pruneSeconds) },
  };
}

async function main(): Promise<void> {
  await withClient(baseUrl, (client) => client.query(`CREATE DATABASE ${scratchName}`));
  const result: Record<string, unknown> = {
    database: scratchName,
    load_average_before: loadavg().map((n) => round(n, 2)),
  };
  try {
    await withClient(scratchUrl, (client) => client.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect'));
    result.per_run = await perRun();
    if (historyCount > 0) result.history = await history();
  } finally {
    result.load_average_after = loadavg().map((n) => round(n, 2));
    await withClient(baseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`));
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
