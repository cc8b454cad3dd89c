import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { waitFor } from '../helpers/wait-for.ts';

// A crash recovered at once on PostgreSQL: `kairos serve` with KAIROS_REPLICA_ID holds an advisory
// lock on that id for its lifetime. SIGKILLed while a run waits for its agent (lease 10 minutes),
// then restarted with the same id: once it holds the lock it knows the runs leased to that id are
// its dead predecessor's, and resumes them at once with the same Idempotency-Key, no attempt used.
// A second live process with the same id refuses to start, naming it.
interface RunBody {
  id: string;
  status: string;
  attempt: number;
  max_attempts: number;
  recoveries: number;
}

describe('KAIROS_REPLICA_ID: a SIGKILLed replica on PostgreSQL recovers its runs at once on restart', () => {
  let cluster: PostgresCluster;
  let agent: AssistantServer;
  let kairos: KairosProcess | undefined;
  const env = (replicaId = 'worker-1') => ({
    DATABASE_URL: cluster.url,
    KAIROS_DB_SCHEMA: 'replica_id',
    KAIROS_REPLICA_ID: replicaId,
    KAIROS_HTTP_ALLOW_PRIVATE: 'true',
    KAIROS_LEASE_SECONDS: '600',
  });

  beforeAll(async () => {
    agent = await startAssistantServer();
    cluster = await createPostgresCluster();
    kairos = await startKairosProcess(env());
  }, 180_000);
  afterAll(async () => {
    await kairos?.stop('SIGTERM');
    cluster?.destroy();
    await agent?.close();
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${kairos!.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, text).toBeLessThan(300);
    return JSON.parse(text) as T;
  }

  it(
    'the in-flight run resumes at once with the same Idempotency-Key; a second holder of the id is refused',
    {
      timeout: 300_000,
    },
    async () => {
      const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', {
        name: 'agent',
        kind: 'http',
        config: { url: agent.url },
      });
      // The first request never gets an answer: the process dies while it is open.
      agent.behave((_, i) => (i === 0 ? { kind: 'hang' } : { kind: 'ok', output: { done: true } }));
      const run = await api<RunBody>('POST', '/api/v1/runs', { assistant_id: assistant.id, input: 'work' });
      await waitFor(() => agent.requests.length === 1, { timeoutMs: 60_000, message: 'the agent call' });
      await kairos!.stop('SIGKILL');
      const killedAt = Date.now();

      kairos = await startKairosProcess(env());
      const done = await waitFor(
        async () => {
          const current = await api<RunBody>('GET', `/api/v1/runs/${run.id}`);
          return current.status === 'pending' || current.status === 'running' ? undefined : current;
        },
        { timeoutMs: 120_000, message: 'the run to end' },
      );
      // At once: long before the 10-minute lease would have expired.
      expect(Date.now() - killedAt).toBeLessThan(300_000);
      expect(done).toMatchObject({ status: 'success', attempt: 2, max_attempts: 1, recoveries: 1 });
      expect(agent.requests.map((request) => request.headers['idempotency-key'])).toEqual([run.id, run.id]);
      expect(
        kairos.logs.filter((line) =>
          /recovered the runs of the process that held replica id worker-1/.test(String(line.msg)),
        ),
      ).toHaveLength(1);

      // A second live process with the same id refuses to start and names it; another id starts.
      const refused = await startKairosProcess(env()).then(
        async (second) => {
          await second.stop('SIGKILL');
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/KAIROS_REPLICA_ID=worker-1 is held by another live Kairos process/);
      const other = await startKairosProcess(env('worker-2'));
      expect(await other.stop('SIGTERM')).toBe(0);
      // The first one was not disturbed: its run is still the only one, done.
      expect((await api<RunBody>('GET', `/api/v1/runs/${run.id}`)).status).toBe('success');
    },
  );
});

describe('KAIROS_REPLICA_ID in the configuration', () => {
  it('is optional, kept as given, and a bad one is refused naming the variable and the fix', () => {
    expect(loadConfig({}).replicaId).toBeUndefined();
    expect(loadConfig({ KAIROS_REPLICA_ID: 'kairos-worker-0' }).replicaId).toBe('kairos-worker-0');
    for (const bad of ['has space', 'x'.repeat(41), '-leading', "o'brien"]) {
      expect(() => loadConfig({ KAIROS_REPLICA_ID: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ KAIROS_REPLICA_ID: bad })).toThrow(/KAIROS_REPLICA_ID: use 1 to 40 letters/);
    }
  });
});
