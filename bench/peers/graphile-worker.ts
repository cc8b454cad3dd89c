/**
 * graphile-worker in bench:peers: its own schema, migrated once by the benchmark, 2 worker
 * processes (graphile-worker-worker.ts). fire = its crontab (minute precision only); herd = N
 * jobs added with `run_at` = the instant (graphile_worker.add_job).
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMigrations } from 'graphile-worker';
import pg from 'pg';
import { quoteIdent } from '../../src/store/database.ts';
import { workerEnvFor } from './worker-env.ts';
import { readRecords, spawnWorker, type Peer, type PeerRun, type Worker, type WorkloadOptions } from './workload.ts';

const script = fileURLToPath(new URL('./graphile-worker-worker.ts', import.meta.url));

export const graphileWorkerPeer: Peer = {
  name: 'graphile-worker',
  settings:
    'run({ concurrency: <Kairos slots>, pollInterval: 100 }) (default 2000 ms: run_at jobs are found by polling); LISTEN/NOTIFY for jobs due now',
  supports: (workload) =>
    workload === 'fire-second' || workload === 'sustained' ? 'crontab has minute precision only' : true,
  open,
};

async function open(options: WorkloadOptions): Promise<PeerRun> {
  const schema = `peers_${options.tag}`;
  await runMigrations({ connectionString: options.databaseUrl, schema });
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const files = Array.from({ length: options.replicas }, (_, i) =>
    join(tmpdir(), `peers-${options.tag}-${i}-${randomUUID().slice(0, 6)}.tsv`),
  );
  let workers: Worker[] = [];
  return {
    async start() {
      workers = await Promise.all(
        files.map((file) =>
          spawnWorker(['--import', 'tsx', script], workerEnvFor(options, schema, file), 'bench-peers-worker-ready'),
        ),
      );
    },
    async enqueueHerd(dueMs) {
      await pool.query(
        `SELECT ${quoteIdent(schema)}.add_job('record', json_build_object('k', 'j' || g, 'due', $1::bigint), run_at => to_timestamp($1::bigint / 1000.0))
         FROM generate_series(1, $2::int) AS g`,
        [dueMs, options.count],
      );
    },
    starts: () => readRecords(files),
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await pool.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    },
  };
}
