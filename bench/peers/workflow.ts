/**
 * The `workflow` workload of bench:peers: a 5-step sequential workflow, each step a POST to one
 * local receiver, run by every workflow peer (Kairos with its `http` assistant, DBOS Transact),
 * interleaved (round 1: each peer, round 2: each peer, …), one workflow at a time and 20 at a time.
 *
 * Per peer (all rounds together):
 * - first_step_ms: submit → the first step's request at the receiver;
 * - between_steps_ms: one step's request at the receiver → the next one's (the answer, the
 *   engine's work between the steps, the next request);
 * - workflow_ms: submit → the submitter sees the workflow finished;
 * - steps_per_s: steps ÷ the phase's wall time (first submit → last finish);
 * - commits_per_step: `pg_stat_database.xact_commit` of the peer's own database, the delta over
 *   the phase (read after a settle of 11 s: an idle backend flushes its statistics within 10 s),
 *   less the peer's background commits (pollers, heartbeats: measured over a quiet settle just
 *   before the phase, counted pro rata), ÷ steps;
 * - bytes_per_step: growth of `pg_database_size` of the peer's own database over the phase (less
 *   its background growth, as for commits) ÷ steps: heap, indexes and dead row versions, in pages;
 * - row_bytes_per_step: the bytes of the rows the phase's workflows left (`pg_column_size` of each
 *   row of theirs, every table) ÷ steps: exact, but without indexes and dead row versions.
 * Times are high-resolution (`performance.timeOrigin + performance.now()`, the same clock in every process).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { percentile } from './workload.ts';

export const stepsPerWorkflow = 5;
export const now = () => performance.timeOrigin + performance.now();

/** One workflow of a phase: its key (the id the steps' requests carry), when submitted and seen finished. */
export interface WorkflowTiming {
  key: string;
  submit: number;
  done: number;
}

export interface WorkflowPeerRun {
  /** The peer's own database (a name on the benchmark's server), for its statistics. */
  database: string;
  /** Runs `count` workflows, `inFlight` at a time (a new one as soon as one finishes). */
  phase(count: number, inFlight: number): Promise<WorkflowTiming[]>;
  /** The bytes of the rows (`pg_column_size`) these workflows left in the peer's tables. */
  rowBytes(keys: string[]): Promise<number>;
  stop(): Promise<void>;
}

export interface WorkflowPeer {
  name: string;
  settings: string;
  open(options: { databaseUrl: string; receiverUrl: string; tag: string }): Promise<WorkflowPeerRun>;
}

export interface WorkflowFigures {
  workflows: number;
  between_steps_ms: { p50: number | null; p99: number | null };
  first_step_ms: { p50: number | null; p99: number | null };
  workflow_ms: { p50: number | null; p99: number | null };
  steps_per_s: number;
  commits_per_step: number;
  bytes_per_step: number;
  row_bytes_per_step: number;
}

export interface WorkflowResult {
  one: WorkflowFigures;
  twenty: WorkflowFigures;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The receiver every step POSTs to: arrival times by the body's `run_id`. */
async function startWorkflowReceiver() {
  const arrivals = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const at = now();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const key = (JSON.parse(body || '{}') as { run_id?: string }).run_id;
      if (key) arrivals.set(key, [...(arrivals.get(key) ?? []), at]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface PhaseSample {
  timings: WorkflowTiming[];
  arrivals: Map<string, number[]>;
  commits: number;
  bytes: number;
  rowBytes: number;
}

function figures(samples: PhaseSample[]): WorkflowFigures {
  const first: number[] = [];
  const between: number[] = [];
  const whole: number[] = [];
  let steps = 0;
  let wall = 0;
  let commits = 0;
  let bytes = 0;
  let rowBytes = 0;
  for (const sample of samples) {
    for (const t of sample.timings) {
      const at = [...(sample.arrivals.get(t.key) ?? [])].sort((a, b) => a - b);
      if (at.length !== stepsPerWorkflow)
        throw new Error(`workflow ${t.key}: ${at.length} step requests, ${stepsPerWorkflow} expected`);
      first.push(at[0]! - t.submit);
      for (let i = 1; i < at.length; i++) between.push(at[i]! - at[i - 1]!);
      whole.push(t.done - t.submit);
      steps += at.length;
    }
    wall += Math.max(...sample.timings.map((t) => t.done)) - Math.min(...sample.timings.map((t) => t.submit));
    commits += sample.commits;
    bytes += sample.bytes;
    rowBytes += sample.rowBytes;
  }
  const p = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => {
      const v = percentile(sorted, q);
      return v === null ? null : round(v);
    };
    return { p50: at(50), p99: at(99) };
  };
  return {
    workflows: whole.length,
    between_steps_ms: p(between),
    first_step_ms: p(first),
    workflow_ms: p(whole),
    steps_per_s: round(steps / (wall / 1000), 1),
    commits_per_step: round(commits / steps),
    bytes_per_step: Math.round(bytes / steps),
    row_bytes_per_step: Math.round(rowBytes / steps),
  };
}

/**
 * Opens every peer, warms each up (10 workflows, not counted), then runs `rounds` rounds of
 * [one at a time × `one`, 20 at a time × `twenty`], peer after peer within each phase.
 */
export async function runWorkflowRounds(
  peers: WorkflowPeer[],
  options: { databaseUrl: string; tag: string; rounds?: number; one?: number; twenty?: number; settleMs?: number },
  log: (line: string) => void,
): Promise<Map<string, { ok: true; result: WorkflowResult } | { ok: false; note: string }>> {
  const { rounds = 3, one = 40, twenty = 200, settleMs = 11_000 } = options;
  const receiver = await startWorkflowReceiver();
  const admin = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  const stats = async (database: string) => {
    const { rows } = await admin.query<{ commits: string; bytes: string }>(
      'SELECT xact_commit AS commits, pg_database_size(datname) AS bytes FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return { commits: Number(rows[0]!.commits), bytes: Number(rows[0]!.bytes) };
  };
  const outcomes = new Map<string, { ok: true; result: WorkflowResult } | { ok: false; note: string }>();
  const open = new Map<WorkflowPeer, WorkflowPeerRun>();
  const samples = new Map<WorkflowPeer, { one: PhaseSample[]; twenty: PhaseSample[] }>();
  try {
    for (const peer of peers) {
      try {
        const run = await peer.open({ databaseUrl: options.databaseUrl, receiverUrl: receiver.url, tag: options.tag });
        open.set(peer, run);
        await run.phase(10, 1);
        await run.phase(20, 20);
        samples.set(peer, { one: [], twenty: [] });
      } catch (error) {
        outcomes.set(peer.name, {
          ok: false,
          note: `failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    await sleep(settleMs);
    for (let r = 1; r <= rounds; r++) {
      for (const [size, count, inFlight] of [
        ['one', one, 1],
        ['twenty', twenty, 20],
      ] as const) {
        for (const [peer, run] of open) {
          if (outcomes.has(peer.name)) continue;
          try {
            // The peer's background work (pollers, heartbeats) over a quiet settle, subtracted pro rata.
            const quiet = await stats(run.database);
            await sleep(settleMs);
            const before = await stats(run.database);
            const started = now();
            const timings = await run.phase(count, inFlight);
            await sleep(settleMs);
            const after = await stats(run.database);
            const share = (now() - started) / settleMs;
            samples.get(peer)![size].push({
              timings,
              arrivals: receiver.arrivals,
              commits: after.commits - before.commits - share * (before.commits - quiet.commits),
              bytes: after.bytes - before.bytes - share * Math.max(0, before.bytes - quiet.bytes),
              rowBytes: await run.rowBytes(timings.map((t) => t.key)),
            });
            log(
              `workflow round ${r} ${size} ${peer.name}: ${JSON.stringify(figures(samples.get(peer)![size].slice(-1)))}`,
            );
          } catch (error) {
            outcomes.set(peer.name, {
              ok: false,
              note: `failed: ${error instanceof Error ? error.message : String(error)}`,
            });
          }
        }
      }
    }
    for (const [peer, s] of samples) {
      if (outcomes.has(peer.name)) continue;
      outcomes.set(peer.name, { ok: true, result: { one: figures(s.one), twenty: figures(s.twenty) } });
    }
    return outcomes;
  } finally {
    for (const run of open.values()) await run.stop().catch((error: unknown) => log(`stop: ${String(error)}`));
    await admin.end();
    await receiver.close();
  }
}

/** The printed table: one row per figure, one column per peer. */
export function renderWorkflowTable(results: Map<string, { ok: boolean; result?: WorkflowResult; note?: string }>) {
  const names = [...results.keys()];
  const get = (name: string) => results.get(name)?.result;
  const pair = (a: { p50: number | null; p99: number | null } | undefined) => (a ? `${a.p50} / ${a.p99}` : '–');
  const rows: Array<[string, (r: WorkflowResult) => string]> = [
    ['gap between steps p50/p99 ms, one at a time', (r) => pair(r.one.between_steps_ms)],
    ['gap between steps p50/p99 ms, 20 at a time', (r) => pair(r.twenty.between_steps_ms)],
    ['submit → first step p50/p99 ms, one at a time', (r) => pair(r.one.first_step_ms)],
    ['submit → first step p50/p99 ms, 20 at a time', (r) => pair(r.twenty.first_step_ms)],
    ['whole workflow p50/p99 ms, one at a time', (r) => pair(r.one.workflow_ms)],
    ['whole workflow p50/p99 ms, 20 at a time', (r) => pair(r.twenty.workflow_ms)],
    ['steps/s, one at a time / 20 at a time', (r) => `${r.one.steps_per_s} / ${r.twenty.steps_per_s}`],
    ['commits per step, one / 20', (r) => `${r.one.commits_per_step} / ${r.twenty.commits_per_step}`],
    ['bytes per step (database growth), one / 20', (r) => `${r.one.bytes_per_step} / ${r.twenty.bytes_per_step}`],
    ['row bytes per step, one / 20', (r) => `${r.one.row_bytes_per_step} / ${r.twenty.row_bytes_per_step}`],
  ];
  return [
    `| workflow (5 sequential POST steps) | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...rows.map(([label, cell]) => {
      const cells = names.map((name) => {
        const r = get(name);
        return r ? cell(r) : `– (${results.get(name)?.note ?? 'not run'})`;
      });
      return `| ${label} | ${cells.join(' | ')} |`;
    }),
  ].join('\n');
}

/** Creates database `name` on the server of `databaseUrl`; returns its URL and a drop. */
export async function createBenchDatabase(
  databaseUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
