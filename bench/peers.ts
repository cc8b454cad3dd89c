/**
 * Kairos beside its peers (prints a table on stderr and JSON on stdout; not a pass/fail test).
 * Needs PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test); Redis at 127.0.0.1:6379 for BullMQ on Redis.
 *
 *   npm run bench:peers -- [--schedules 100] [--minutes 2] [--second-window 30] [--herd 2000] [--herd-wait 120]
 *                          [--rates 250,500,1000,2000,4000] [--sustained-seconds 30]
 *                          [--workloads fire-minute,fire-second,herd,sustained] [--peers kairos-http,kairos-module,graphile-worker,pg-boss,bullmq-postgres,bullmq-redis]
 *   npm run bench:peers -- --workloads workflow --peers kairos-http,dbos   (bench/peers/workflow.ts)
 *
 * Every peer runs the same workloads one after another, 2 workers (processes) each, on the same
 * PostgreSQL (a schema per peer and workload, dropped after):
 * - fire-minute / fire-second: N schedules every minute (for --minutes) / every second (for
 *   --second-window seconds); lag = handler start − nominal time; duplicates, misses;
 * - sustained: fire-second at rising rates (--rates runs/s, each for --sustained-seconds); per peer,
 *   the highest rate with lag p99 < 1 s and nothing missing, duplicated or lost;
 * - herd: N jobs (one-time schedules for Kairos; run_at / startAfter / delay jobs for the queues)
 *   due at one instant; time until the last handler started (waiting at most --herd-wait s after
 *   the due time: a herd not all started by then is printed as "> …"); duplicates.
 * Kairos runs at its defaults twice: `http` assistant POSTing to a local receiver, and a `module`
 * assistant in process. The floor (bench/floor.ts) is measured in the same run. For Kairos it also
 * prints which late runs were only late and which were lost (by status/reason), and the round
 * trips and statements per run its replicas sent (counted by a preload, bench/peers/count-statements.mjs;
 * BENCH_DEBUG=1 lists the most frequent statements).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { databaseFloor, postFloor, ratioToFloor } from './floor.ts';
import { bullmqPeer } from './peers/bullmq.ts';
import { graphileWorkerPeer } from './peers/graphile-worker.ts';
import { kairosDefaults, kairosPeer } from './peers/kairos.ts';
import { pgBossPeer } from './peers/pg-boss.ts';
import { runWorkflowWorkload, workflowOnlyPeers } from './peers/workflow-peers.ts';
import { startReceiver } from './peers/receiver.ts';
import { headline, renderTable, type Outcome, type Results } from './peers/table.ts';
import {
  fireResult,
  herdResult,
  perRun,
  type FireResult,
  type HerdResult,
  type Peer,
  type StatementCosts,
  type SustainedResult,
  type Workload,
} from './peers/workload.ts';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '100' },
    minutes: { type: 'string', default: '2' },
    'second-window': { type: 'string', default: '30' },
    herd: { type: 'string', default: '2000' },
    'herd-wait': { type: 'string', default: '120' },
    rates: { type: 'string', default: '250,500,1000,2000,4000' },
    'sustained-seconds': { type: 'string', default: '30' },
    workloads: { type: 'string', default: 'fire-minute,fire-second,herd' },
    peers: {
      type: 'string',
      default: 'kairos-http,kairos-module,graphile-worker,pg-boss,bullmq-postgres,bullmq-redis',
    },
  },
});
const schedules = Number(values.schedules);
const minutes = Number(values.minutes);
const secondWindow = Number(values['second-window']);
const herdCount = Number(values.herd);
const herdWaitMs = Number(values['herd-wait']) * 1000;
const workflowWorkload = values.workloads!.split(',').includes('workflow');
const workloads = values.workloads!.split(',').filter((w) => w !== 'workflow') as Workload[];
const rates = values.rates!.split(',').map(Number);
const sustainedSeconds = Number(values['sustained-seconds']);
const replicas = 2;
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = () => loadavg().map((n) => Math.round(n * 100) / 100);
const log = (line: string) => process.stderr.write(`${line}\n`);

const { slots, poolSize } = kairosDefaults(databaseUrl);
const receiver = await startReceiver();
const allPeers: Record<string, Peer> = {
  'kairos-http': kairosPeer('http', receiver),
  'kairos-module': kairosPeer('module', receiver),
  'graphile-worker': graphileWorkerPeer,
  'pg-boss': pgBossPeer,
  'bullmq-postgres': bullmqPeer('postgres'),
  'bullmq-redis': bullmqPeer('redis'),
};
const peerNames = values.peers!.split(',');
const peers = peerNames
  .filter((name) => !workflowOnlyPeers.includes(name))
  .map((name) => {
    const peer = allPeers[name];
    if (!peer) throw new Error(`unknown peer "${name}": use one of ${Object.keys(allPeers).join(', ')}`);
    return peer;
  });

log(
  `bench:peers ${new Date().toISOString()} load ${loadAverage().join(' ')}; Kairos defaults: ${slots} slots, pool ${poolSize} per replica, ${replicas} replicas`,
);

// The floor: the same burst of POSTs Kairos's http assistant sends (herd N, and one fire instant's N),
// at Kairos's concurrency; and a bare INSERT … RETURNING + UPDATE per run on the same PostgreSQL.
const concurrency = replicas * slots;
const floor = {
  post_herd: await postFloor({ url: receiver.url, count: herdCount, concurrency, client: 'http' }),
  post_fire: await postFloor({ url: receiver.url, count: schedules, concurrency, client: 'http' }),
  database_herd: await databaseFloor({
    connectionString: databaseUrl,
    count: herdCount,
    concurrency: Math.min(concurrency, replicas * poolSize),
  }),
};
log(
  `floor: ${herdCount} POSTs ${floor.post_herd.total_ms} ms, ${schedules} POSTs ${floor.post_fire.total_ms} ms (concurrency ${concurrency}); ${herdCount} × INSERT+UPDATE ${floor.database_herd.total_ms} ms (concurrency ${floor.database_herd.concurrency})`,
);

async function runFire(
  peer: Peer,
  workload: 'fire-minute' | 'fire-second',
  tag: string,
  count = schedules,
  windowS = secondWindow,
): Promise<FireResult> {
  const run = await peer.open({
    workload,
    count,
    databaseUrl,
    concurrency: slots,
    replicas,
    tag,
    receiverUrl: receiver.url,
  });
  let result: FireResult | undefined;
  try {
    await run.start();
    const periodMs = workload === 'fire-minute' ? 60_000 : 1000;
    // The window opens once the peer is seen firing (every second) or 5 s after it is ready (every
    // minute), so that start-up is not counted as misses.
    if (workload === 'fire-second') {
      const waitUntil = Date.now() + 30_000;
      while (run.starts().length === 0 && Date.now() < waitUntil) await sleep(100);
    }
    const from = Math.ceil((Date.now() + (workload === 'fire-second' ? 1000 : 5000)) / 1000) * 1000;
    const to = from + (workload === 'fire-minute' ? minutes * 60_000 : windowS * 1000);
    // Grace after the window for the last occurrence's stragglers (pg-boss's cron is checked every second).
    await sleep(to - Date.now() + (workload === 'fire-minute' ? 15_000 : 5000));
    const starts = run.starts();
    if (process.env.BENCH_DEBUG) {
      const perNominal = new Map<number, number>();
      for (const s of starts) perNominal.set(s.nominal, (perNominal.get(s.nominal) ?? 0) + 1);
      log(
        `${peer.name} window ${new Date(from).toISOString()}–${new Date(to).toISOString()}: ${[...perNominal]
          .sort((a, b) => a[0] - b[0])
          .map(([t, n]) => `${new Date(t).toISOString().slice(14, 19)}:${n}`)
          .join(' ')}`,
      );
    }
    result = fireResult(starts, count, periodMs, from, to);
    if (run.outcomes) result.late = await run.outcomes(from, to);
    return result;
  } finally {
    await run.stop();
    if (result && run.costs) result.per_run = perRun(logCosts(peer, workload, run.costs()), run.starts().length);
  }
}

/** Logs the statements a peer's replicas sent most often; returns the totals. */
function logCosts(peer: Peer, workload: string, costs: StatementCosts): StatementCosts {
  if (process.env.BENCH_DEBUG)
    for (const [text, n] of costs.top.slice(0, 12)) log(`  ${peer.name} ${workload} ${n} × ${text}`);
  return costs;
}

/**
 * `sustained`: fire-second at each rate (R schedules every second = R runs/s) for
 * --sustained-seconds; stops raising after the first rate that is not clean. Clean: lag p99 < 1 s,
 * nothing missing, duplicated or lost (late runs that start are fine).
 */
async function runSustained(peer: Peer, tag: string): Promise<SustainedResult> {
  const steps: SustainedResult['rates'] = [];
  let highest: number | null = null;
  for (const rate of rates) {
    const fire = await runFire(peer, 'fire-second', `${tag}_${rate}`, rate, sustainedSeconds);
    const lost = Object.values(fire.late?.lost ?? {}).reduce((a, b) => a + b, 0);
    const clean = fire.lag_ms.p99 !== null && fire.lag_ms.p99 < 1000 && fire.missing + fire.duplicated + lost === 0;
    steps.push({ rate, clean, ...fire });
    log(`  ${peer.name} sustained ${rate}/s: ${JSON.stringify(fire)} (load ${loadAverage().join(' ')})`);
    if (!clean) break;
    highest = rate;
  }
  return { seconds: sustainedSeconds, highest_clean_rate: highest, rates: steps };
}

async function runHerd(peer: Peer, tag: string): Promise<HerdResult & { enqueued_before_due_ms: number }> {
  const run = await peer.open({
    workload: 'herd',
    count: herdCount,
    databaseUrl,
    concurrency: slots,
    replicas,
    tag,
    receiverUrl: receiver.url,
  });
  let result: (HerdResult & { enqueued_before_due_ms: number }) | undefined;
  try {
    await run.start();
    const due = Math.ceil((Date.now() + 5000 + herdCount) / 1000) * 1000;
    await run.enqueueHerd!(due);
    const enqueuedBeforeDue = due - Date.now();
    const deadline = due + herdWaitMs;
    while (Date.now() < deadline && new Set(run.starts().map((s) => s.key)).size < herdCount) await sleep(200);
    await sleep(3000); // duplicates, if any, show up after the last first start
    result = { ...herdResult(run.starts(), herdCount, due), enqueued_before_due_ms: enqueuedBeforeDue };
    if (run.outcomes) result.late = await run.outcomes(due, due + 1);
    return result;
  } finally {
    await run.stop();
    if (result && run.costs) result.per_run = perRun(logCosts(peer, 'herd', run.costs()), run.starts().length);
  }
}

const results: Results = new Map(peers.map((peer) => [peer.name, {}]));
for (const workload of workloads) {
  for (const peer of peers) {
    const supported = peer.supports(workload);
    let outcome: Outcome;
    if (supported !== true) outcome = { ok: false, note: supported };
    else {
      const tag = `${workload.replace('-', '_')}_${randomUUID().slice(0, 8)}`;
      try {
        outcome = {
          ok: true,
          result:
            workload === 'herd'
              ? await runHerd(peer, tag)
              : workload === 'sustained'
                ? await runSustained(peer, tag)
                : await runFire(peer, workload, tag),
        };
      } catch (error) {
        outcome = { ok: false, note: `failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    results.get(peer.name)![workload] = outcome;
    log(
      `${peer.name} ${workload}: ${JSON.stringify(outcome.ok ? outcome.result : outcome.note)} (load ${loadAverage().join(' ')})`,
    );
  }
}

// The workflow workload (bench/peers/workflow.ts): its peers interleaved, in its own table.
const workflow = workflowWorkload
  ? await runWorkflowWorkload(peerNames, { databaseUrl, tag: randomUUID().slice(0, 8) }, log)
  : undefined;
for (const [name, outcome] of workflow?.results ?? []) {
  if (!results.has(name)) results.set(name, {});
  (results.get(name) as Record<string, unknown>).workflow = outcome;
}

// Every Kairos figure beside the floor: herd vs the bare POST burst (http) or the bare database work
// (module); fire lag p99 vs one instant's bare POST burst.
const kairosToFloor = Object.fromEntries(
  ['kairos (http)', 'kairos (module)']
    .filter((name) => results.has(name))
    .map((name) => {
      const byWorkload = results.get(name)!;
      const herd = headline('herd', byWorkload.herd);
      return [
        name,
        {
          herd_to_post_floor: ratioToFloor(herd, floor.post_herd.total_ms),
          herd_to_database_floor: ratioToFloor(herd, floor.database_herd.total_ms),
          fire_minute_p99_to_post_floor: ratioToFloor(
            headline('fire-minute', byWorkload['fire-minute']),
            floor.post_fire.total_ms,
          ),
          fire_second_p99_to_post_floor: ratioToFloor(
            headline('fire-second', byWorkload['fire-second']),
            floor.post_fire.total_ms,
          ),
        },
      ];
    }),
);

log('');
if (workloads.length > 0) log(renderTable(results, workloads));
if (workflow) log(`\n${workflow.table}`);
log('');
if (workloads.length > 0)
  for (const [name, ratios] of Object.entries(kairosToFloor)) log(`${name} ÷ floor: ${JSON.stringify(ratios)}`);
log('');
for (const peer of peers) log(`settings, ${peer.name}: ${peer.settings}`);
for (const [name, settings] of Object.entries(workflow?.settings ?? {}))
  log(`settings, ${name} (workflow): ${settings}`);
log(`load ${loadAverage().join(' ')}`);

console.log(
  JSON.stringify({
    date: new Date().toISOString(),
    load: loadAverage(),
    replicas,
    kairos_defaults: { slots, pool_size: poolSize },
    schedules,
    minutes,
    second_window_s: secondWindow,
    herd: herdCount,
    floor,
    kairos_to_floor: kairosToFloor,
    results: Object.fromEntries(results),
    settings: Object.fromEntries(peers.map((peer) => [peer.name, peer.settings])),
  }),
);
await receiver.close();
