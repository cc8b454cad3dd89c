/**
 * BullMQ in bench:peers, on PostgreSQL (bullmq 6's own backend) and on Redis (127.0.0.1:6379,
 * keys under a prefix of this run, obliterated after). fire = job schedulers
 * (upsertJobScheduler with a 5- or 6-field pattern: seconds are supported); herd = N jobs added
 * with `delay` = the instant − now (addBulk). 2 worker processes (bullmq-worker.ts).
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import pg from 'pg';
import { quoteIdent } from '../../src/store/database.ts';
import { bullConnection, redisUnavailable, type BullBackend } from './bullmq-connection.ts';
import { workerEnvFor } from './worker-env.ts';
import { readRecords, spawnWorker, type Peer, type PeerRun, type Worker, type WorkloadOptions } from './workload.ts';

const script = fileURLToPath(new URL('./bullmq-worker.ts', import.meta.url));

export function bullmqPeer(backend: BullBackend): Peer {
  const unavailable = backend === 'redis' ? redisUnavailable() : null;
  return {
    name: `bullmq (${backend === 'postgres' ? 'PostgreSQL' : 'Redis'})`,
    settings:
      'Worker({ concurrency: <Kairos slots> }), drainDelay left at its default (a blocking wait that new and promoted delayed jobs wake)',
    supports: () => unavailable ?? true,
    open: (options) => open(backend, options),
  };
}

async function open(backend: BullBackend, options: WorkloadOptions): Promise<PeerRun> {
  const namespace = `peers_${options.tag}`;
  const { connection, factory, prefix, close } = await bullConnection(backend, options.databaseUrl, namespace);
  const queue = new Queue('peers', { connection, ...(prefix !== undefined && { prefix }) }, factory);
  await queue.waitUntilReady();
  const files = Array.from({ length: options.replicas }, (_, i) =>
    join(tmpdir(), `peers-${options.tag}-${i}-${randomUUID().slice(0, 6)}.tsv`),
  );
  let workers: Worker[] = [];
  return {
    async start() {
      if (options.workload !== 'herd') {
        const pattern = options.workload === 'fire-minute' ? '0 * * * * *' : '* * * * * *';
        for (let i = 0; i < options.count; i++)
          await queue.upsertJobScheduler(`s${i}`, { pattern, tz: 'UTC' }, { name: 'record', data: { s: `s${i}` } });
      }
      workers = await Promise.all(
        files.map((file) =>
          spawnWorker(
            ['--import', 'tsx', script],
            { ...workerEnvFor(options, namespace, file), BENCH_PEERS_BULL_BACKEND: backend },
            'bench-peers-worker-ready',
          ),
        ),
      );
    },
    async enqueueHerd(dueMs) {
      for (let i = 0; i < options.count; i += 1000) {
        const n = Math.min(1000, options.count - i);
        const delay = Math.max(0, dueMs - Date.now());
        await queue.addBulk(
          Array.from({ length: n }, (_, j) => ({
            name: 'record',
            data: { k: `j${i + j}`, due: dueMs },
            opts: { delay },
          })),
        );
      }
    },
    starts: () => readRecords(files),
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await queue.obliterate({ force: true });
      await queue.close();
      await close();
      if (backend === 'postgres') {
        const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
        await pool.query(`DROP SCHEMA ${quoteIdent(namespace)} CASCADE`);
        await pool.end();
      }
    },
  };
}
