/**
 * One pg-boss worker process of bench:peers. fire: one queue per schedule (pg-boss 10 keys a
 * schedule by its queue name) and the cron monitor on; herd: one queue of N jobs.
 */
import PgBoss from 'pg-boss';
import { closeRecord, record } from './record.ts';
import { onTerm, workerEnv } from './worker-env.ts';

const { workload, count, concurrency, databaseUrl, namespace } = workerEnv;
const fire = workload === 'fire-minute';
const boss = new PgBoss({
  connectionString: databaseUrl,
  schema: namespace,
  migrate: false,
  schedule: fire,
  // The cron monitor checks every 30 s by default and its worker polls every 5 s: both at their minimum.
  cronMonitorIntervalSeconds: 1,
  cronWorkerIntervalSeconds: 1,
});
boss.on('error', (error) => console.error('pg-boss', error));
await boss.start();
const names = fire ? Array.from({ length: count }, (_, i) => `s${i}`) : ['herd'];
for (const name of names) {
  // pollingIntervalSeconds: 0.5 is pg-boss's minimum (default 2); batchSize: a fetch takes this many jobs.
  await boss.work<{ k?: string; due?: number }>(
    name,
    { pollingIntervalSeconds: 0.5, batchSize: fire ? 1 : concurrency },
    async (jobs) => {
      const now = Date.now();
      // A cron job carries no nominal time: it is the minute it was sent for (lag < 60 s).
      for (const job of jobs)
        record(fire ? name : job.data.k!, fire ? Math.floor(now / 60_000) * 60_000 : job.data.due!);
    },
  );
}
onTerm(() => boss.stop({ graceful: false, wait: true, timeout: 5000 }), closeRecord);
console.log('bench-peers-worker-ready');
