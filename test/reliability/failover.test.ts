import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../src/store/postgres-driver.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import {
  createPostgresCluster,
  createStandby,
  type PostgresCluster,
  type PostgresStandby,
} from '../helpers/postgres-cluster.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { waitFor } from '../helpers/wait-for.ts';

// A database failover behind one address: two `kairos serve` replicas reach a primary through a
// TCP proxy this test starts; a streaming standby is built with `pg_basebackup -R`. The primary
// is stopped, the standby promoted and the proxy re-pointed to it; later the new primary is
// restarted; each outage lasts 4 s. Every occurrence of three every-second schedules (run_all,
// run_once, skip) exists exactly once, ended `success` or, where its misfire policy gives up,
// `skipped`/`missed` (nothing lost, nothing doubled); LISTEN and the replica id locks come back on
// the new server; the outage is visible: 503 `database_unavailable`, one log line each way, metrics.
const schema = 'failover';
const schedules = 3;
/** What each schedule does with occurrences that fall due while no server answers. */
const misfires = ['run_all', 'run_once', 'skip'] as const;
/** Each outage lasts at least this long, so that occurrences of every schedule fall inside it. */
const outageMs = 4000;
const env = {
  KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
  // Polling as the fallback only: the replicas must be woken by LISTEN on the new server.
  KAIROS_POLL_INTERVAL_MS: '60000',
  KAIROS_DEMO: 'false',
  KAIROS_HTTP_ALLOW_PRIVATE: 'true',
  KAIROS_DB_SCHEMA: schema,
};

interface OccurrenceRow {
  schedule_id: string;
  scheduled_for: Date;
  status: string;
  error_kind: string | null;
  late_by_ms: number | null;
  start_lag_ms: number | null;
  n: number;
}

async function api<T>(server: KairosProcess, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function metric(server: KairosProcess, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name} `) || row.startsWith(`${name}{`));
  return Number(line?.split(' ').at(-1));
}

const logged = (server: KairosProcess, pattern: RegExp) =>
  server.logs.filter((line) => pattern.test(String(line.msg))).length;

describe('database failover: a promoted standby behind the same address, then a restart', { timeout: 420_000 }, () => {
  let agent: AssistantServer;
  let primary: PostgresCluster;
  let standby: PostgresStandby;
  let proxy: TcpProxy;
  const replicas: KairosProcess[] = [];

  beforeAll(async () => {
    agent = await startAssistantServer();
    // Some runs are in flight when the server goes away.
    agent.behave(() => ({ kind: 'ok', delayMs: 300 }));
    primary = await createPostgresCluster();
    const setup = openPostgres({ connectionString: primary.url, schema: 'public' });
    await setup.exec(`CREATE SCHEMA ${schema}`);
    await setup.close();
    standby = await createStandby(primary);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: primary.port });
    for (let i = 0; i < 2; i++)
      replicas.push(
        await startKairosProcess({
          ...env,
          DATABASE_URL: viaProxy(primary.url, proxy),
          // Stable ids: their advisory locks must be taken again on the new server.
          KAIROS_REPLICA_ID: `failover-${i}`,
        }),
      );
  }, 240_000);
  afterAll(async () => {
    for (const replica of replicas) await replica.stop('SIGKILL');
    await proxy?.close();
    standby?.destroy();
    primary?.destroy();
    await agent?.close();
  });

  /** Every occurrence up to now, once per schedule and second, with how many rows it has. */
  async function occurrences(db: PostgresDatabase): Promise<OccurrenceRow[]> {
    const { rows } = await db.query<OccurrenceRow>(
      `SELECT schedule_id, scheduled_for, min(status) AS status, min(error_kind) AS error_kind,
         max(late_by_ms) AS late_by_ms,
         max(round(extract(epoch FROM started_at - scheduled_for) * 1000))::int AS start_lag_ms, count(*)::int AS n
       FROM runs WHERE schedule_id IS NOT NULL GROUP BY schedule_id, scheduled_for ORDER BY scheduled_for`,
    );
    return rows;
  }

  /** Waits until both replicas answer 503 `database_unavailable`, then until both answer again. */
  async function outage(switchOver: () => void | Promise<void>): Promise<void> {
    const downAt = Date.now();
    for (const replica of replicas) {
      const down = await waitFor(
        async () => {
          const answer = await api<{ error?: { code: string } }>(replica, '/api/v1/schedules');
          return answer.status === 503 ? answer : undefined;
        },
        { timeoutMs: 30_000, message: 'a 503 while the database is down' },
      );
      expect(down.body.error?.code).toBe('database_unavailable');
      expect(await metric(replica, 'kairos_database_reachable')).toBe(0);
    }
    // Not a synchronisation: the outage's length, so that occurrences fall due while it lasts.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + outageMs - Date.now())));
    await switchOver();
    for (const replica of replicas)
      await waitFor(async () => (await api(replica, '/api/v1/schedules')).status === 200, {
        timeoutMs: 60_000,
        message: 'the API to answer again',
      });
  }

  /** Both replicas LISTEN on the server now behind the proxy (their last statement there is a LISTEN) and hold their id lock there. */
  async function listening(db: PostgresDatabase): Promise<void> {
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(DISTINCT application_name)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'",
        );
        return rows[0]!.n >= replicas.length;
      },
      { timeoutMs: 60_000, message: 'both replicas to LISTEN on the new server' },
    );
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(DISTINCT a.application_name)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
           WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle' AND a.application_name LIKE 'kairos-failover-%'`,
        );
        return rows[0]!.n >= replicas.length;
      },
      { timeoutMs: 60_000, message: 'both replicas to hold their replica id lock on the new server' },
    );
  }

  /** Waits until every occurrence of every schedule from `from` for 3 s has run to success. */
  async function firing(db: PostgresDatabase, from: number): Promise<void> {
    const start = Math.ceil(from / 1000) * 1000;
    await waitFor(
      async () => {
        const rows = (await occurrences(db)).filter(
          (row) => row.scheduled_for.getTime() >= start && row.scheduled_for.getTime() < start + 3000,
        );
        return rows.length === schedules * 3 && rows.every((row) => row.status === 'success');
      },
      { timeoutMs: 90_000, message: 'every schedule to fire again' },
    );
  }

  it('replicas reconnect, LISTEN resumes, every occurrence exactly once, the outage is visible', async () => {
    const ids: string[] = [];
    const assistant = await api<{ id: string }>(replicas[0]!, '/api/v1/assistants', {
      name: 'echo',
      kind: 'http',
      config: { url: agent.url },
    });
    expect(assistant.status).toBe(201);
    for (let i = 0; i < schedules; i++) {
      const created = await api<{ id: string }>(replicas[0]!, '/api/v1/schedules', {
        assistant_id: assistant.body.id,
        name: `every second ${i}`,
        schedule: { cron: '* * * * * *' },
        misfire: misfires[i],
        overlap: 'allow',
        max_concurrent: 10,
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const onPrimary = openPostgres({ connectionString: primary.url, schema });
    try {
      await waitFor(async () => (await occurrences(onPrimary)).filter((row) => row.status === 'success').length >= 9, {
        timeoutMs: 60_000,
        message: 'runs on the primary',
      });
      // The standby has replayed what the primary wrote (it is a streaming replica, not a copy).
      const { rows } = await onPrimary.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'",
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await onPrimary.close();
    }

    // Failover: the primary goes away, the standby is promoted, the proxy points to it.
    primary.stop();
    await outage(() => {
      standby.promote();
      proxy.retarget({ host: '127.0.0.1', port: standby.port });
    });
    const promotedAt = Date.now();
    const db = openPostgres({ connectionString: standby.url, schema });
    try {
      const { rows } = await db.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
      expect(rows[0]!.recovering).toBe(false);
      await listening(db);
      await firing(db, promotedAt + 5000);

      // A plain restart of the (new) primary.
      await db.close().catch(() => {});
      standby.stop();
      await outage(() => standby.start());
      const restartedAt = Date.now();
      const again = openPostgres({ connectionString: standby.url, schema });
      try {
        await listening(again);
        await firing(again, restartedAt + 5000);

        for (const replica of replicas) {
          const changes = replica.logs
            .filter((line) => /database is (unreachable|reachable again)/.test(String(line.msg)))
            .map((line) => `${String(line.time)} ${String(line.msg).slice(0, 30)}`);
          expect(logged(replica, /database is unreachable/), changes.join('\n')).toBe(2);
          expect(logged(replica, /database is reachable again/)).toBe(2);
          expect(await metric(replica, 'kairos_database_outages_total')).toBe(2);
          expect(await metric(replica, 'kairos_database_reachable')).toBe(1);
          expect(replica.logs.filter((line) => /pass failed/.test(String(line.msg)))).toEqual([]);
        }

        // Stop firing, let what is due finish, then count.
        const pausedAt = Date.now();
        for (const id of ids)
          expect((await api(replicas[0]!, `/api/v1/schedules/${id}/pause`, {})).status).toBeLessThan(300);
        const all = await waitFor(
          async () => {
            const { rows: open } = await again.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM runs WHERE status IN ('pending', 'running')",
            );
            return open[0]!.n === 0 ? occurrences(again) : undefined;
          },
          { timeoutMs: 90_000, message: 'every run to end' },
        );
        const outcomes: string[] = [];
        for (const [i, id] of ids.entries()) {
          const mine = all.filter((row) => row.schedule_id === id);
          const first = mine[0]!.scheduled_for.getTime();
          const last = mine.at(-1)!.scheduled_for.getTime();
          // Nothing lost: one row per second from the first occurrence to the pause.
          expect(last).toBeGreaterThanOrEqual(pausedAt - 3000);
          expect(mine).toHaveLength((last - first) / 1000 + 1);
          // Nothing doubled.
          expect(mine.filter((row) => row.n !== 1)).toEqual([]);
          // The outages delayed runs; none failed for it: run_all runs every occurrence, the other
          // policies record what they give up as skipped/missed. Pausing cancels only the runs
          // created ahead of their time.
          const allowed = (row: OccurrenceRow) =>
            row.status === 'success' ||
            (misfires[i] !== 'run_all' && row.status === 'skipped' && row.error_kind === 'missed') ||
            (row.status === 'cancelled' && row.scheduled_for.getTime() > pausedAt - 500);
          expect(mine.filter((row) => !allowed(row)).map((row) => `${row.status}/${row.error_kind}`)).toEqual([]);
          const late = mine.filter((row) => row.status === 'success' && (row.late_by_ms ?? 0) > 0).length;
          const missed = mine.filter((row) => row.status === 'skipped').length;
          const delayed = mine.filter((row) => (row.start_lag_ms ?? 0) > 1000).length;
          outcomes.push(
            `${misfires[i]}: ${mine.length} occurrences, ${delayed} started over 1 s late, ${late} with late_by_ms, ${missed} missed`,
          );
        }
        console.log(`failover: ${outcomes.join('; ')}`);
        // The agent saw each occurrence under one Idempotency-Key (a redelivery reuses it).
        const keys = new Map<string, Set<string>>();
        for (const request of agent.requests) {
          const occurrence = `${request.body.schedule_id}@${request.body.scheduled_for}`;
          const set = keys.get(occurrence) ?? new Set<string>();
          set.add(String(request.headers['idempotency-key']));
          keys.set(occurrence, set);
        }
        expect([...keys.values()].filter((set) => set.size !== 1)).toEqual([]);
        expect(keys.size).toBe(all.filter((row) => row.status === 'success').length);
        console.log(
          `failover: ${all.length} occurrences, ${agent.requests.length - keys.size} redelivered (same Idempotency-Key)`,
        );
      } finally {
        await again.close();
      }
    } finally {
      await db.close().catch(() => {});
    }
  });
});
