/** What a peer's worker process reads from its environment (set by the peer's side in bench:peers). */
import type { Workload } from './workload.ts';

export const workerEnv = {
  workload: process.env.BENCH_PEERS_WORKLOAD as Workload,
  count: Number(process.env.BENCH_PEERS_COUNT),
  concurrency: Number(process.env.BENCH_PEERS_CONCURRENCY),
  databaseUrl: process.env.BENCH_PEERS_DATABASE_URL!,
  /** Schema (PostgreSQL peers) or key prefix (Redis). */
  namespace: process.env.BENCH_PEERS_NAMESPACE!,
};

/** The environment for a worker process of `options`, recording into `file`. */
export function workerEnvFor(
  options: { workload: Workload; count: number; concurrency: number; databaseUrl: string },
  namespace: string,
  file: string,
): Record<string, string> {
  return {
    BENCH_PEERS_WORKLOAD: options.workload,
    BENCH_PEERS_COUNT: String(options.count),
    BENCH_PEERS_CONCURRENCY: String(options.concurrency),
    BENCH_PEERS_DATABASE_URL: options.databaseUrl,
    BENCH_PEERS_NAMESPACE: namespace,
    BENCH_PEERS_RECORD: file,
  };
}

/** On SIGTERM: stop the peer's worker, flush the records, exit. */
export function onTerm(stop: () => Promise<void>, flush: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    stop()
      .catch((error: unknown) => console.error(error))
      .finally(() => flush().finally(() => process.exit(0)));
  });
}
