/**
 * The shape every peer in bench:peers fills in, and the pieces they share: spawning a worker
 * process, reading the handler-start records, and turning them into lag, duplicates and misses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * `fire-minute`: N schedules every minute; `fire-second`: every second; `herd`: N due at one
 * instant; `sustained`: fire-second at rising rates (R schedules every second = R runs/s).
 */
export type Workload = 'fire-minute' | 'fire-second' | 'herd' | 'sustained';

/** One handler start: which schedule/job, its nominal time, when the handler started (ms). */
export interface Start {
  key: string;
  nominal: number;
  at: number;
}

export interface WorkloadOptions {
  workload: Workload;
  /** Schedules (fire) or jobs (herd). */
  count: number;
  /** PostgreSQL to use; each peer makes its own schema in it and drops it after. */
  databaseUrl: string;
  /** Jobs one worker runs at once (the peers get what one Kairos replica runs with). */
  concurrency: number;
  replicas: number;
  /** A unique tag for this peer and workload (schema names, Redis prefixes, record files). */
  tag: string;
  receiverUrl: string;
}

export interface PeerRun {
  /** Starts the workers (and, for fire, declares the schedules) and resolves once they are ready. */
  start(): Promise<void>;
  /** herd only: makes `count` jobs due at `dueMs`. */
  enqueueHerd?(dueMs: number): Promise<void>;
  /** The handler starts recorded so far. */
  starts(): Start[];
  /**
   * Kairos only: how the runs of occurrences due in [fromMs, toMs) ended, read from its runs table
   * before `stop()`: which late ones only started late and which were lost (by status/reason).
   */
  outcomes?(fromMs: number, toMs: number): Promise<LateOutcomes>;
  /** Stops the workers (by pid) and drops what the peer created. */
  stop(): Promise<void>;
  /** Kairos only, after `stop()`: the round trips and statements its replicas sent (count-statements.mjs). */
  costs?(): StatementCosts;
}

/** What happened to the late runs of a window. */
export interface LateOutcomes {
  /** Started (or finished) after their start deadline or `not_before`: late, not lost. */
  only_late: number;
  /** Ended without starting, by `status/error_kind` (e.g. `error/capacity`, `skipped/missed`). */
  lost: Record<string, number>;
  /** Still pending when the window and its grace were over. */
  pending: number;
}

/** Round trips and statements all replicas of a peer sent over their life (start-up and idle polls included). */
export interface StatementCosts {
  round_trips: number;
  statements: number;
  /** The most frequent statements (first 90 characters) and their counts. */
  top: Array<[string, number]>;
}

export interface Peer {
  name: string;
  /** The low-latency settings used, as printed in the table's notes. */
  settings: string;
  /** true, or why this peer cannot do the workload (printed instead of a figure). */
  supports(workload: Workload): true | string;
  open(options: WorkloadOptions): Promise<PeerRun>;
}

// Workers must not outlive the benchmark, whatever ends it.
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));

export interface Worker {
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `node [args]` with `env` and resolves once its stdout contains `readyText`. stdout is
 * read to the end (a replica that logs must never block on a full pipe); stderr is shown.
 */
export function spawnWorker(args: string[], env: Record<string, string>, readyText: string): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    let out = '';
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      // BENCH_WORKER_LOG=<file>: every worker's output appended there (e.g. a replica's warnings).
      if (process.env.BENCH_WORKER_LOG) appendFileSync(process.env.BENCH_WORKER_LOG, chunk);
      if (ready) return;
      out += chunk.toString();
      if (out.includes(readyText)) {
        ready = true;
        out = '';
        resolve({ child, stop: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (!ready)
        reject(new Error(`worker ${args.join(' ')} exited with ${code} before it was ready: ${out.slice(-2000)}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s if it has not exited (by pid, never by name). */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Reads the records the handlers appended (record.ts), tolerating a last line still being written. */
export function readRecords(files: string[]): Start[] {
  const starts: Start[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [key, nominal, at] = line.split('\t');
      if (key && nominal && at) starts.push({ key, nominal: Number(nominal), at: Number(at) });
    }
  }
  return starts;
}

export const percentile = (sorted: number[], p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export interface FireResult {
  expected: number;
  fired: number;
  duplicated: number;
  missing: number;
  lag_ms: { p50: number | null; p99: number | null; max: number | null };
  /** Kairos: what became of the late runs. */
  late?: LateOutcomes;
  /** Kairos: round trips and statements per run started. */
  per_run?: PerRunCosts;
}

export interface PerRunCosts {
  round_trips: number;
  statements: number;
}

/** Totals over the runs started (rounded to 0.1). */
export function perRun(costs: StatementCosts, runs: number): PerRunCosts {
  const per = (n: number) => (runs > 0 ? Math.round((n / runs) * 10) / 10 : 0);
  return { round_trips: per(costs.round_trips), statements: per(costs.statements) };
}

/** Lag, duplicates and misses of `count` schedules every `periodMs` over [fromMs, toMs). */
export function fireResult(starts: Start[], count: number, periodMs: number, fromMs: number, toMs: number): FireResult {
  let inWindow = 0;
  for (let t = Math.ceil(fromMs / periodMs) * periodMs; t < toMs; t += periodMs) inWindow++;
  const seen = new Map<string, number>();
  const lags: number[] = [];
  for (const start of starts) {
    if (start.nominal < fromMs || start.nominal >= toMs) continue;
    const occurrence = `${start.key}@${start.nominal}`;
    const n = (seen.get(occurrence) ?? 0) + 1;
    seen.set(occurrence, n);
    if (n === 1) lags.push(start.at - start.nominal);
  }
  lags.sort((a, b) => a - b);
  const expected = inWindow * count;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return {
    expected,
    fired: seen.size,
    duplicated,
    missing: Math.max(0, expected - seen.size),
    lag_ms: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? null },
  };
}

export interface HerdResult {
  jobs: number;
  started: number;
  duplicated: number;
  missing: number;
  last_started_after_ms: number | null;
  lag_ms: { p50: number | null; p99: number | null };
  late?: LateOutcomes;
  per_run?: PerRunCosts;
}

/** Time from `dueMs` until the last of `count` jobs started, and duplicates. */
export function herdResult(starts: Start[], count: number, dueMs: number): HerdResult {
  const seen = new Map<string, number>();
  const lags: number[] = [];
  let last: number | null = null;
  for (const start of starts) {
    const n = (seen.get(start.key) ?? 0) + 1;
    seen.set(start.key, n);
    if (n > 1) continue;
    lags.push(start.at - dueMs);
    last = last === null ? start.at : Math.max(last, start.at);
  }
  lags.sort((a, b) => a - b);
  return {
    jobs: count,
    started: seen.size,
    duplicated: starts.length - seen.size,
    missing: Math.max(0, count - seen.size),
    last_started_after_ms: last === null ? null : last - dueMs,
    lag_ms: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
  };
}

/** `sustained`: each rate tried, and the highest that was clean (p99 < 1 s, nothing missing, duplicated or lost). */
export interface SustainedResult {
  seconds: number;
  highest_clean_rate: number | null;
  rates: Array<FireResult & { rate: number; clean: boolean }>;
}
