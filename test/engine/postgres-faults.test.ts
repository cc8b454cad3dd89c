import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { migrate } from '../../src/store/migrate.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.ts';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

// Real faults on a PostgreSQL cluster of this test's own (never the machine's server): a restart
// while `kairos serve` fires every second, and PgBouncer in transaction mode in front of it.
const env = {
  KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
  KAIROS_POLL_INTERVAL_MS: '60000',
  KAIROS_DEMO: 'false',
  KAIROS_HTTP_ALLOW_PRIVATE: 'true',
};
let agent: AssistantServer;

interface RunBody {
  id: string;
  status: string;
  scheduled_for: string | null;
  started_at: string | null;
  error_kind?: string | null;
  error?: string | null;
}

async function api<T>(
  server: KairosProcess,
  path: string,
  init?: { method?: string; body?: unknown },
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: init?.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init?.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** An http assistant on the local agent server, which answers at once. */
async function echoAssistant(server: KairosProcess): Promise<string> {
  const created = await api<{ id: string }>(server, '/api/v1/assistants', {
    method: 'POST',
    body: { name: `echo-${Math.random().toString(36).slice(2, 8)}`, kind: 'http', config: { url: agent.url } },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function runsOf(server: KairosProcess, scheduleId: string): Promise<RunBody[]> {
  const { body } = await api<{ data: RunBody[] }>(server, `/api/v1/schedules/${scheduleId}/runs?limit=100`);
  return body.data;
}

describe('PostgreSQL faults (own cluster)', { timeout: 240_000 }, () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    agent = await startAssistantServer();
    agent.behave(() => ({ kind: 'ok' }));
    cluster = await createPostgresCluster();
  }, 120_000);
  afterAll(async () => {
    cluster?.destroy();
    await agent?.close();
  });

  it('a restart: the API answers 503 while it is down, logs say it once each way, LISTEN reconnects, firing is on time within 5 s', async () => {
    const server = await startKairosProcess({ ...env, DATABASE_URL: cluster.url, KAIROS_DB_SCHEMA: 'restart' });
    try {
      const assistant = await echoAssistant(server);
      const created = await api<{ id: string }>(server, '/api/v1/schedules', {
        method: 'POST',
        body: {
          assistant_id: assistant,
          schedule: { cron: '* * * * * *' },
          misfire: 'run_all',
          overlap: 'allow',
          max_concurrent: 10,
        },
      });
      expect(created.status).toBe(201);
      await waitFor(async () => (await runsOf(server, created.body.id)).filter((run) => run.started_at).length >= 2, {
        timeoutMs: 30_000,
      });

      cluster.stop();
      const down = await api<{ error: { code: string; message: string } }>(server, '/api/v1/schedules');
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('database_unavailable');
      expect(down.body.error.message).toMatch(/unreachable/);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      cluster.start();
      const backAt = Date.now();

      // The LISTEN connection is back (its last statement on the server is a LISTEN).
      const probe = openPostgres({ connectionString: cluster.url, schema: 'restart' });
      try {
        await waitFor(
          async () => {
            const { rows } = await probe.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'",
            );
            return rows[0]!.n > 0;
          },
          { timeoutMs: 30_000, message: 'the LISTEN connection to come back' },
        );
      } finally {
        await probe.close();
      }

      // On time again: every occurrence from 5 s after the server came back starts within 1 s.
      const from = Math.ceil((backAt + 5000) / 1000) * 1000;
      const runs = await waitFor(
        async () => {
          const all = await runsOf(server, created.body.id);
          const after = all.filter(
            (run) => Date.parse(run.scheduled_for!) >= from && Date.parse(run.scheduled_for!) < from + 3000,
          );
          return after.length === 3 && after.every((run) => run.started_at) ? after : undefined;
        },
        { timeoutMs: 60_000, message: 'three occurrences after the restart' },
      );
      for (const run of runs) expect(Date.parse(run.started_at!) - Date.parse(run.scheduled_for!)).toBeLessThan(1000);
      const all = await runsOf(server, created.body.id);
      // Nothing the outage delayed was failed as capacity.
      expect(all.filter((run) => run.status === 'error').map((run) => [run.error_kind, run.error])).toEqual([]);

      const unreachable = server.logs.filter((line) => /database is unreachable/.test(String(line.msg)));
      const reachable = server.logs.filter((line) => /database is reachable again/.test(String(line.msg)));
      expect(unreachable).toHaveLength(1);
      expect(reachable).toHaveLength(1);
      expect(server.logs.filter((line) => /pass failed/.test(String(line.msg)))).toEqual([]);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
  });

  describe('behind PgBouncer in transaction mode', () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      bouncer = await startPgBouncer(cluster.url);
    }, 60_000);
    afterAll(() => bouncer?.close());

    for (const direct of [false, true]) {
      const label = direct
        ? 'with KAIROS_LISTEN_DATABASE_URL (a direct LISTEN connection)'
        : 'without a direct LISTEN connection: polling, one warning';
      it(label, async () => {
        const schema = direct ? 'bouncer_listen' : 'bouncer_poll';
        // Migrated through the pooler too: nothing relies on session state or prepared statements.
        const db = openPostgres({ connectionString: bouncer.url, schema });
        await db.verify();
        expect(db.behindPooler).toBe(true);
        await migrate(db);
        await db.close();
        const server = await startKairosProcess({
          ...env,
          DATABASE_URL: bouncer.url,
          KAIROS_DB_SCHEMA: schema,
          ...(direct && { KAIROS_LISTEN_DATABASE_URL: cluster.url }),
        });
        try {
          const warnings = server.logs.filter((line) =>
            /LISTEN\/NOTIFY does not reach this replica/.test(String(line.msg)),
          );
          expect(warnings).toHaveLength(direct ? 0 : 1);
          const assistant = await echoAssistant(server);
          const created = await api<{ id: string }>(server, '/api/v1/schedules', {
            method: 'POST',
            body: { assistant_id: assistant, schedule: { cron: '* * * * * *' }, overlap: 'allow', max_concurrent: 10 },
          });
          expect(created.status).toBe(201);
          const runs = await waitFor(
            async () => {
              const all = await runsOf(server, created.body.id);
              return all.filter((run) => run.started_at).length >= 3 ? all : undefined;
            },
            { timeoutMs: 60_000, message: 'three runs through the pooler' },
          );
          const occurrences = runs.map((run) => run.scheduled_for);
          expect(new Set(occurrences).size).toBe(occurrences.length);
          expect(server.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
        } finally {
          expect(await server.stop('SIGTERM')).toBe(0);
        }
      });
    }
  });
});
