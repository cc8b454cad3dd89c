/**
 * One graphile-worker worker process of bench:peers: `run()` with a task that records its start;
 * for fire, the crontab of N entries (every worker runs the same crontab; graphile-worker
 * deduplicates across workers through its known_crontabs table).
 */
import { run } from 'graphile-worker';
import { closeRecord, record } from './record.ts';
import { onTerm, workerEnv } from './worker-env.ts';

const { workload, count, concurrency, databaseUrl, namespace } = workerEnv;
const crontab =
  workload === 'fire-minute'
    ? Array.from({ length: count }, (_, i) => `* * * * * record ?id=s${i} {"s":"s${i}"}`).join('\n')
    : undefined;

const runner = await run({
  connectionString: databaseUrl,
  schema: namespace,
  concurrency,
  // Jobs due in the future (run_at, and cron's own jobs) are found by polling; default 2000 ms.
  pollInterval: 100,
  noHandleSignals: true,
  ...(crontab !== undefined && { crontab }),
  taskList: {
    record: async (payload) => {
      const job = payload as { s?: string; k?: string; due?: number; _cron?: { ts: string } };
      if (job._cron) record(job.s!, Date.parse(job._cron.ts));
      else record(job.k!, job.due!);
    },
  },
});
onTerm(() => runner.stop(), closeRecord);
console.log('bench-peers-worker-ready');
