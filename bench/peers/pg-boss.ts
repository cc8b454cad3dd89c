/**
 * pg-boss in bench:peers: its own schema (created by the benchmark's own instance, which also
 * creates the queues and schedules), 2 worker processes (pg-boss-worker.ts). fire = schedule()
 * (minute precision only); herd = N jobs inserted with `startAfter` = the instant.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { quoteIdent } from '../../src/store/database.ts';
import { workerEnvFor } from './worker-env.ts';
import { readRecords, spawnWorker, type Peer, type PeerRun, type Worker, type WorkloadOptions } from './workload.ts';

const script = fileURLToPath(new URL('./pg-boss-worker.ts', import.meta.url));

export const pgBossPeer: Peer = {
  name: 'pg-boss',
  settings:
    'work({ pollingIntervalSeconds: 0.5 (the minimum; default 2), batchSize: <Kairos slots> }); cronMonitorIntervalSeconds: 1 and cronWorkerIntervalSeconds: 1 (defaults 30 and 5)',
  supports: (workload) =>
    workload === 'fire-second' || workload === 'sustained' ? 'schedule() has minute precision only' : true,
  open,
};

async function open(options: WorkloadOptions): Promise<PeerRun> {
  const schema = `peers_${options.tag}`;
  const boss = new PgBoss({ connectionString: options.databaseUrl, schema, schedule: false, supervise: false, max: 2 });
  boss.on('error', (error) => console.error('pg-boss', error));
  await boss.start();
  const fire = options.workload === 'fire-minute';
  const names = fire ? Array.from({ length: options.count }, (_, i) => `s${i}`) : ['herd'];
  for (const name of names) await boss.createQueue(name);
  const files = Array.from({ length: options.replicas }, (_, i) =>
    join(tmpdir(), `peers-${options.tag}-${i}-${randomUUID().slice(0, 6)}.tsv`),
  );
  let workers: Worker[] = [];
  return {
    async start() {
      if (fire) for (const name of names) await boss.schedule(name, '* * * * *', {}, { tz: 'UTC' });
      workers = await Promise.all(
        files.map((file) =>
          spawnWorker(['--import', 'tsx', script], workerEnvFor(options, schema, file), 'bench-peers-worker-ready'),
        ),
      );
    },
    async enqueueHerd(dueMs) {
      const startAfter = new Date(dueMs);
      for (let i = 0; i < options.count; i += 1000) {
        const n = Math.min(1000, options.count - i);
        await boss.insert(
          Array.from({ length: n }, (_, j) => ({ name: 'herd', data: { k: `j${i + j}`, due: dueMs }, startAfter })),
        );
      }
    },
    starts: () => readRecords(files),
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await boss.stop({ graceful: false, wait: true, timeout: 5000 });
      const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
      await pool.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    },
  };
}
