/**
 * One BullMQ worker process of bench:peers (backend from BENCH_PEERS_BULL_BACKEND): a Worker
 * whose processor records its start. Scheduled jobs' ids are `repeat:<scheduler>:<nominal ms>`.
 */
import { Worker } from 'bullmq';
import { bullConnection, type BullBackend } from './bullmq-connection.ts';
import { closeRecord, record } from './record.ts';
import { onTerm, workerEnv } from './worker-env.ts';

const { concurrency, databaseUrl, namespace } = workerEnv;
const backend = process.env.BENCH_PEERS_BULL_BACKEND as BullBackend;
const { connection, factory, prefix, close } = await bullConnection(backend, databaseUrl, namespace);
const worker = new Worker<{ s?: string; k?: string; due?: number }>(
  'peers',
  async (job) => {
    if (job.data.s) record(job.data.s, Number(job.id!.split(':').at(-1)));
    else record(job.data.k!, job.data.due!);
  },
  { connection, concurrency, ...(prefix !== undefined && { prefix }) },
  factory,
);
worker.on('error', (error) => console.error('bullmq worker', error));
await worker.waitUntilReady();
onTerm(async () => {
  await worker.close();
  await close();
}, closeRecord);
console.log('bench-peers-worker-ready');
