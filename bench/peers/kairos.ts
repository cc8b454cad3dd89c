/**
 * Kairos in bench:peers: 2 `kairos serve` replicas (scheduler + worker roles) at the product's
 * default configuration (no KAIROS_WORKER_SLOTS / pool override), with either the `http`
 * assistant POSTing to the local receiver (its real path) or a `module` assistant recording its
 * start in process (as the peers' handlers do). Schedules are rows inserted directly.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { occurrenceAfter } from '../../src/scheduler/next-fire.ts';
import { physicalChannel, quoteIdent } from '../../src/store/database.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import type { Receiver } from './receiver.ts';
import {
  readRecords,
  spawnWorker,
  type Peer,
  type PeerRun,
  type LateOutcomes,
  type Start,
  type StatementCosts,
  type Worker,
  type WorkloadOptions,
} from './workload.ts';

const bin = fileURLToPath(new URL('../../bin/kairos.js', import.meta.url));
const configFile = fileURLToPath(new URL('./kairos.config.ts', import.meta.url));
// Preloaded into each replica: counts the round trips and statements it sends (no product code).
const counter = new URL('./count-statements.mjs', import.meta.url).href;
const adminId = '00000000-0000-0000-0000-000000000001';

/** The environment a replica gets: only what a deployment must set, nothing tuned. */
function replicaEnv(databaseUrl: string, schema: string): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    KAIROS_DB_SCHEMA: schema,
    KAIROS_ROLES: 'scheduler,worker',
    KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
    KAIROS_HTTP_ALLOW_PRIVATE: 'true',
  };
  return env;
}

/** Worker slots and pool size a replica runs with at defaults (what this checkout's config resolves). */
export function kairosDefaults(databaseUrl: string): { slots: number; poolSize: number } {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: databaseUrl };
  delete env.KAIROS_WORKER_SLOTS;
  delete env.KAIROS_DB_POOL_SIZE;
  const config = loadConfig(env);
  return { slots: config.worker.slots, poolSize: config.database.poolSize };
}

export function kairosPeer(kind: 'http' | 'module', receiver: Receiver): Peer {
  return {
    name: `kairos (${kind})`,
    settings:
      kind === 'http'
        ? 'defaults; `http` assistant POSTs to a local receiver (handler start = receipt)'
        : 'defaults; `module` assistant in process (handler start = module entry)',
    supports: () => true,
    open: (options) => openKairos(kind, receiver, options),
  };
}

async function openKairos(kind: 'http' | 'module', receiver: Receiver, options: WorkloadOptions): Promise<PeerRun> {
  const schema = `peers_${options.tag}`;
  const db = openPostgres({ connectionString: options.databaseUrl, schema, poolSize: 4 });
  await migrate(db);
  const config = kind === 'http' ? { url: receiver.url } : { module: 'bench-record' };
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'bench', $2, $3) RETURNING id`,
    [adminId, kind, JSON.stringify(config)],
  );
  const assistantId = rows[0]!.id;
  const files = Array.from({ length: options.replicas }, (_, i) =>
    join(tmpdir(), `peers-${options.tag}-${i}-${randomUUID().slice(0, 6)}.tsv`),
  );
  const statementFiles = files.map((file) => file.replace(/\.tsv$/, '.statements.json'));
  const firstReceipt = receiver.starts.length;
  let workers: Worker[] = [];

  const insert = async (cron: string | null, at: Date | null, next: Date) => {
    for (let i = 0; i < options.count; i += 5000) {
      const n = Math.min(5000, options.count - i);
      await db.query(
        `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, at, next_run_at, timeout_ms)
         SELECT $1, 'bench-' || (g + $3), $2, $4, $5, $6, $7, 30000 FROM generate_series(1, $8) AS g`,
        [adminId, assistantId, i, cron === null ? 'once' : 'cron', cron, at, next, n],
      );
    }
  };

  return {
    async start() {
      if (options.workload !== 'herd') {
        const cron = options.workload === 'fire-minute' ? '* * * * *' : '* * * * * *';
        const spec = {
          kind: 'cron' as const,
          cron,
          timezone: 'UTC',
          atMs: null,
          everyMs: null,
          anchorMs: null,
          startMs: null,
          endMs: null,
        };
        await insert(cron, null, new Date(occurrenceAfter(spec, Date.now())!));
      }
      workers = await Promise.all(
        files.map((file, i) =>
          spawnWorker(
            // BENCH_NODE_ARGS: node flags for the replicas, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
            [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', counter, bin, 'serve'],
            {
              ...replicaEnv(options.databaseUrl, schema),
              BENCH_PEERS_STATEMENTS: statementFiles[i]!,
              ...(kind === 'module' && { KAIROS_CONFIG: configFile, BENCH_PEERS_RECORD: file }),
            },
            'started without the api role',
          ),
        ),
      );
    },
    async enqueueHerd(dueMs) {
      await insert(null, new Date(dueMs), new Date(dueMs));
      // What the API does when a schedule is created: wake the schedulers for the new due time.
      await db.query('SELECT pg_notify($1, $2)', [physicalChannel(schema, 'schedules'), String(dueMs)]);
    },
    starts(): Start[] {
      const starts = kind === 'http' ? receiver.starts.slice(firstReceipt) : readRecords(files);
      // Herd schedules are one-time: one occurrence each, so the run is keyed by its schedule.
      return starts;
    },
    async outcomes(fromMs, toMs): Promise<LateOutcomes> {
      // A run is late when it started after its not_before by more than its start window allowed
      // (late_by_ms > 0) or was found late by the deadline sweep (a `late` event); lost when it
      // ended without starting.
      const { rows } = await db.query<{ status: string; error_kind: string | null; late: boolean; n: number }>(
        `SELECT status, error_kind, (late_by_ms IS NOT NULL AND late_by_ms > 0) AS late, count(*)::int AS n
           FROM runs WHERE coalesce(scheduled_for, not_before) >= $1 AND coalesce(scheduled_for, not_before) < $2
           GROUP BY 1, 2, 3`,
        [new Date(fromMs), new Date(toMs)],
      );
      const result: LateOutcomes = { only_late: 0, lost: {}, pending: 0 };
      for (const row of rows) {
        if (row.status === 'pending') result.pending += row.n;
        else if (row.status === 'success' || row.status === 'running') {
          if (row.late) result.only_late += row.n;
        } else {
          const key = `${row.status}/${row.error_kind ?? '-'}`;
          result.lost[key] = (result.lost[key] ?? 0) + row.n;
        }
      }
      return result;
    },
    costs(): StatementCosts {
      const total: StatementCosts = { round_trips: 0, statements: 0, top: [] };
      const top = new Map<string, number>();
      for (const file of statementFiles) {
        if (!existsSync(file)) continue;
        const one = JSON.parse(readFileSync(file, 'utf8')) as StatementCosts;
        total.round_trips += one.round_trips;
        total.statements += one.statements;
        for (const [text, n] of one.top) top.set(text, (top.get(text) ?? 0) + n);
        rmSync(file, { force: true });
      }
      total.top = [...top].sort((a, b) => b[1] - a[1]).slice(0, 15);
      return total;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await db.exec(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await db.close();
    },
  };
}
