/**
 * The machine's floor: what this machine does with no scheduler at all, measured in the same run as
 * the scheduler so that every figure can be printed with its ratio to it.
 *
 * - postFloor: a bare Node client sends `count` POSTs (keep-alive, `concurrency` in flight, a body
 *   shaped like the one Kairos's `http` assistant sends) to the same receiver, after a warm-up
 *   burst; `client: 'http'` (node:http with a keep-alive Agent, the fastest client Node has: the
 *   floor) or `'fetch'` (Node's built-in fetch, for comparison: about 4× slower here);
 * - databaseFloor: one bare `INSERT … RETURNING` and one `UPDATE` per run on the same PostgreSQL,
 *   `concurrency` connections at once.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import pg from 'pg';

export interface FloorResult {
  count: number;
  concurrency: number;
  /** Start until the last request (or row) completed. */
  total_ms: number;
  /** Per-item latency, ms. */
  p50_ms: number | null;
  p99_ms: number | null;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Runs `count` jobs with at most `concurrency` at once; returns each job's latency and the total. */
async function burst(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<FloorResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        await job(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const total = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    count,
    concurrency,
    total_ms: Math.round(total),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
  };
}

function postWithFetch(url: string, body: string): Promise<void> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    .then((response) => response.arrayBuffer())
    .then(() => undefined);
}

function postWithHttp(url: string, body: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', resolve);
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** `count` POSTs to `url` (keep-alive), as the `http` assistant sends them, after a warm-up burst. */
export async function postFloor(options: {
  url: string;
  count: number;
  concurrency: number;
  client?: 'http' | 'fetch';
}): Promise<FloorResult & { client: string }> {
  const client = options.client ?? 'http';
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const now = new Date().toISOString();
  const post = () => {
    const body = JSON.stringify({
      run_id: randomUUID(),
      schedule_id: randomUUID(),
      scheduled_for: now,
      floor: true,
      input: {},
    });
    return client === 'fetch' ? postWithFetch(options.url, body) : postWithHttp(options.url, body, agent);
  };
  try {
    await burst(Math.min(500, options.count), options.concurrency, post);
    return { client, ...(await burst(options.count, options.concurrency, post)) };
  } finally {
    agent.destroy();
  }
}

/** One `INSERT … RETURNING` and one `UPDATE` per run into a scratch table, dropped after. */
export async function databaseFloor(options: {
  connectionString: string;
  count: number;
  concurrency: number;
}): Promise<FloorResult> {
  const table = `floor_${randomUUID().slice(0, 8)}`;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency });
  try {
    await pool.query(
      `CREATE TABLE ${table} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), status text NOT NULL, payload jsonb, created_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)`,
    );
    return await burst(options.count, options.concurrency, async () => {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO ${table} (status, payload) VALUES ('running', $1) RETURNING id`,
        [{ input: {} }],
      );
      await pool.query(`UPDATE ${table} SET status = 'succeeded', finished_at = now() WHERE id = $1`, [rows[0]!.id]);
    });
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

/** `value / floor`, two decimals, or null when either is missing. */
export function ratioToFloor(value: number | null | undefined, floor: number | null | undefined): number | null {
  if (value == null || floor == null || floor <= 0) return null;
  return Math.round((value / floor) * 100) / 100;
}
