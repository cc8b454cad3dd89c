import { openPostgres } from '../src/store/postgres-driver.ts';
import { startChaosAgent, type ChaosAgent } from './chaos-agent.ts';
import { buildChaosReport, type ChaosReport, type ReportRun } from './chaos-report.ts';
import { planFaults, type FaultKind } from './fault-plan.ts';
import { injectFault, type FaultRecord } from './faults.ts';
import { createPostgresCluster, type PostgresCluster } from './postgres-cluster.ts';
import { seededRandom } from './random.ts';
import { Replica } from './replica.ts';

export interface ChaosOptions {
  replicas: number;
  schedules: number;
  /** How long the schedules fire (faults included), in ms. */
  durationMs: number;
  faults: FaultKind[];
  /** Cycles through the faults at most this often (the CI test: 1). */
  rounds?: number;
  seed: number;
  /** The replicas' lease (a frozen replica is stopped for the lease plus 3 s). */
  leaseMs?: number;
  /** Quiet time between faults, to recover and measure (default 10 s). */
  gapMs?: number;
  /** How long to wait for every run to end after the pause (default 3 min). */
  recoveryTimeoutMs?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * One chaos run (`npm run chaos`, test/reliability/chaos.test.ts): its own PostgreSQL cluster,
 * `replicas` × `kairos serve`, `schedules` every-second schedules (misfire run_all, retries on)
 * against an agent that answers in 0–1 s and fails 5 %, the faults on a printed schedule, then a
 * pause, a wait for every run to end, and the report. Everything it started is stopped and
 * removed, also when it fails.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const leaseMs = options.leaseMs ?? 5000;
  const random = seededRandom(options.seed);
  let cluster: PostgresCluster | undefined;
  let agent: ChaosAgent | undefined;
  const replicas: Replica[] = [];
  let monitor: ReturnType<typeof openPostgres> | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await monitor?.close().catch(() => {});
      await Promise.all(replicas.map((replica) => replica.kill().catch(() => {})));
      await agent?.close().catch(() => {});
      cluster?.destroy();
    })());
  // Ctrl-C or a kill: stop the replicas and remove the cluster before going.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`chaos: ${signal}: stopping the replicas and removing the cluster`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    cluster = await createPostgresCluster();
    log(`chaos: PostgreSQL cluster of its own on port ${cluster.port}`);
    agent = await startChaosAgent({ random: seededRandom(options.seed + 1), failureRate: 0.05, maxDelayMs: 1000 });
    const env = {
      DATABASE_URL: cluster.url,
      KAIROS_ROLES: 'api,scheduler,worker',
      KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_MAX_SCHEDULES_PER_USER: '0',
      KAIROS_LEASE_SECONDS: String(leaseMs / 1000),
      KAIROS_HEARTBEAT_SECONDS: String(Math.max(0.5, leaseMs / 5000)),
      KAIROS_SHUTDOWN_GRACE: '5',
      // Runs hold no connection while they execute: slots are cheap. The survivors of a fault must
      // take the whole load, and on a starved machine (a shared 2-core box) the agent's answers
      // come late, so that more runs are in flight than its 0–1 s suggests.
      KAIROS_WORKER_SLOTS: String(Math.max(64, options.schedules * 10)),
    };
    for (let i = 0; i < options.replicas; i++) replicas.push(new Replica(`replica-${i + 1}`, env));
    await Promise.all(replicas.map((replica) => replica.start()));
    log(`chaos: ${replicas.length} replicas listening (${replicas.map((r) => `${r.name} pid ${r.pid}`).join(', ')})`);
    monitor = openPostgres({
      connectionString: cluster.url,
      schema: 'kairos',
      applicationName: 'chaos-monitor',
      poolSize: 4,
    });
    const db = monitor;
    const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (error) {
          if ((error as { fatal?: boolean }).fatal || attempt >= 60)
            throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
          await sleep(1000);
        }
      }
    };
    const api = <T>(path: string, body?: unknown): Promise<T> =>
      retrying(path, async () => {
        const replica = replicas.find((r) => r.alive && !r.stopped);
        if (!replica) throw new Error('no replica is up');
        const response = await fetch(`${replica.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json' },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`${response.status} ${text}`);
        if (response.status >= 400)
          throw Object.assign(new Error(`${path} answered ${response.status}: ${text}`), { fatal: true });
        return JSON.parse(text) as T;
      });

    const assistant = await api<{ id: string }>('/api/v1/assistants', {
      name: 'chaos-agent',
      kind: 'http',
      config: { url: agent.url },
    });
    const scheduleIds: string[] = [];
    const numbers = Array.from({ length: options.schedules }, (_, i) => i);
    await eachLimit(numbers, 8, async (i) => {
      const created = await api<{ id: string }>('/api/v1/schedules', {
        name: `chaos-${i}`,
        assistant_id: assistant.id,
        schedule: { cron: '* * * * * *' },
        misfire: 'run_all',
        overlap: 'allow',
        max_concurrent: 50,
        retry: { max_attempts: 3, backoff: 'none' },
      });
      scheduleIds.push(created.id);
    });
    // The checked window starts once every schedule exists and has fired a little.
    const from = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    log(`chaos: ${scheduleIds.length} schedules firing every second; checked from ${new Date(from).toISOString()}`);

    const gapMs = options.gapMs ?? 10_000;
    const plan = planFaults({
      kinds: options.faults,
      durationMs: options.durationMs,
      warmupMs: 10_000,
      slotMs: leaseMs + 3000 + gapMs,
      ...(options.rounds !== undefined && { rounds: options.rounds }),
    });
    log(
      `chaos: fault schedule (seconds after ${new Date(from).toISOString()}): ${plan.map((p) => `${p.kind}@${p.atMs / 1000}`).join(', ') || 'none'}`,
    );
    const records: FaultRecord[] = [];
    for (const planned of plan) {
      await sleep(from + planned.atMs - Date.now());
      const record = await injectFault(planned.kind, { replicas, cluster, monitor: db, random, leaseMs, log });
      records.push(record);
      log(
        `chaos: ${record.kind}${record.target ? ` ${record.target}` : ''} at +${((record.startedAt - from) / 1000).toFixed(1)} s, over at +${((record.endedAt - from) / 1000).toFixed(1)} s ${JSON.stringify(record.detail)}`,
      );
    }
    const lastEnd = Math.max(from + options.durationMs, ...records.map((r) => r.endedAt + gapMs));
    await sleep(lastEnd - Date.now());

    // The end: pause everything, bring back anything down, wait for every run to end.
    const to = Math.floor(Date.now() / 1000) * 1000 - 1000;
    log('chaos: pausing every schedule');
    for (const replica of replicas) if (replica.stopped) replica.signal('SIGCONT');
    for (const replica of replicas) if (!replica.alive) await replica.start();
    await eachLimit(scheduleIds, 8, async (id) => {
      await api(`/api/v1/schedules/${id}/pause`, {});
    });
    const recoveryStart = Date.now();
    const recoveryTimeoutMs = options.recoveryTimeoutMs ?? 180_000;
    for (;;) {
      const { rows } = await retrying('counting open runs', () =>
        db.query<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE status IN ('pending', 'running')"),
      );
      if (rows[0]!.n === 0 || Date.now() - recoveryStart > recoveryTimeoutMs) break;
      await sleep(500);
    }
    log(`chaos: recovered in ${Date.now() - recoveryStart} ms after the pause`);

    const { rows: runs } = await retrying('reading runs', () =>
      db.query<ReportRun>(
        'SELECT id::text, schedule_id::text, scheduled_for, status, error_kind FROM runs WHERE schedule_id IS NOT NULL ORDER BY created_at',
      ),
    );
    // A terminal event of an attempt written twice means a write landed after its lease was lost.
    const { rows: twice } = await retrying('reading run events', () =>
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
         SELECT run_id, data->>'attempt' FROM run_events WHERE kind IN ('attempt_failed', 'attempt_finished')
         GROUP BY 1, 2 HAVING count(*) > 1) t`,
      ),
    );
    return buildChaosReport({
      scheduleIds,
      from,
      to,
      runs,
      deliveries: agent.deliveries,
      faults: records,
      lateWritesLanded: twice[0]!.n,
      fencedRefused: replicas.reduce((sum, replica) => sum + replica.log.fenced, 0),
      settings: {
        replicas: options.replicas,
        schedules: options.schedules,
        duration_s: options.durationMs / 1000,
        faults: options.faults,
        seed: options.seed,
        lease_ms: leaseMs,
        replica_logs: Object.fromEntries(
          replicas.map((r) => [
            r.name,
            {
              unreachable: r.log.unreachable,
              reachable: r.log.reachable,
              fenced: r.log.fenced,
              errors: r.log.errors.length,
            },
          ]),
        ),
      },
    });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup();
  }
}
