import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRow } from '../../src/store/runs.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
const newestMigration = (commit: string) =>
  Math.max(
    ...git('ls-tree', '--name-only', `${commit}:src/store/migrations`)
      .split('\n')
      .map((name) => Number(/^(\d+)_/.exec(name)?.[1] ?? 0)),
  );

/** The newest commit whose migrations stop one release short of HEAD's: the previous release. */
function previousRelease(): string {
  const current = newestMigration('HEAD');
  for (const commit of git('rev-list', 'HEAD', '--', 'src/store/migrations').split('\n')) {
    const parent = git('rev-parse', `${commit}^`);
    if (newestMigration(parent) < current) return parent;
  }
  throw new Error('no earlier migration set in this history');
}

// A rolling upgrade: the previous release's `kairos serve` (built from git in a temp folder) runs
// on the database, then this release starts beside it and migrates the database while the old one
// keeps firing and running; then the old one is stopped. Every occurrence has exactly one run,
// every run succeeds, and both releases ran some of them.
describe('rolling upgrade: the previous release beside this one (postgres)', () => {
  let test: TestDatabase | undefined;
  let agent: AssistantServer | undefined;
  let folder: string | undefined;
  const processes: KairosProcess[] = [];
  afterAll(async () => {
    for (const p of processes) await p.stop('SIGTERM').catch(() => null);
    await agent?.close();
    await test?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('loses and doubles nothing through the migration', { timeout: 600_000 }, async () => {
    const previous = previousRelease();
    folder = mkdtempSync(join(tmpdir(), 'kairos-previous-'));
    execFileSync('sh', ['-c', `git -C "${root}" archive ${previous} | tar -x -C "${folder}"`]);
    symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
    test = await createTestDatabase('postgres', { migrated: false });
    agent = await startAssistantServer();
    agent.behave(() => ({ kind: 'ok', delayMs: 50 }));
    const env = {
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: test.db.schema,
      KAIROS_ALLOW_SECONDS_SCHEDULE: 'true',
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_LEASE_SECONDS: '3',
      KAIROS_HEARTBEAT_SECONDS: '1',
      KAIROS_DB_POOL_SIZE: '4',
    };
    const old = await startKairosProcess(env, 240_000, join(folder, 'bin', 'kairos.js'));
    processes.push(old);
    const api = async <T>(path: string, body: unknown): Promise<T> => {
      const response = await fetch(`${old.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      return (await response.json()) as T;
    };
    const assistant = await api<{ id: string }>('/api/v1/assistants', {
      name: 'agent',
      kind: 'http',
      config: { url: agent.url },
    });
    const endAt = Date.now() + 40_000;
    const schedules: Array<{ id: string; created_at: string }> = [];
    for (let i = 0; i < 5; i++) {
      schedules.push(
        await api('/api/v1/schedules', {
          name: `every-second-${i}`,
          assistant_id: assistant.id,
          schedule: { cron: '* * * * * *' },
          end_at: new Date(endAt).toISOString(),
          overlap: 'allow',
          max_concurrent: 5,
          misfire: 'run_all',
        }),
      );
    }
    await waitFor(() => agent!.requests.length >= 10, { timeoutMs: 60_000, message: 'the old release to run' });
    const before = await test.db.query<{ id: number }>('SELECT max(id) AS id FROM migrations');
    // This release starts beside it and migrates the database while the old one keeps working.
    const current = await startKairosProcess(env, 240_000);
    processes.push(current);
    const after = await test.db.query<{ id: number }>('SELECT max(id) AS id FROM migrations');
    expect(after.rows[0]!.id).toBeGreaterThan(before.rows[0]!.id);
    // Which replica id is which process (a replica's row goes when it stops).
    const { rows: replicas } = await test.db.query<{ id: string; pid: number }>('SELECT id, pid FROM replicas');
    const requestsAtUpgrade = agent.requests.length;
    await waitFor(() => agent!.requests.length >= requestsAtUpgrade + 20, { timeoutMs: 60_000 });
    await old.stop('SIGTERM');
    const runs = await waitFor(
      async () => {
        const { rows } = await test!.db.query<RunRow>('SELECT * FROM runs');
        return Date.now() > endAt + 1000 && rows.every((run) => run.status !== 'pending' && run.status !== 'running')
          ? rows
          : undefined;
      },
      { timeoutMs: 120_000, message: 'every run to end' },
    );
    for (const schedule of schedules) {
      const createdAt = Date.parse(schedule.created_at);
      const expected: string[] = [];
      for (let t = Math.floor(createdAt / 1000) * 1000 + 1000; t < endAt; t += 1000)
        expected.push(new Date(t).toISOString());
      const fired = runs
        .filter((run) => run.schedule_id === schedule.id)
        .map((run) => run.scheduled_for!.toISOString())
        .sort();
      expect(fired).toEqual(expected);
    }
    expect(runs.filter((run) => run.status !== 'success').map((run) => `${run.status}/${run.error_kind}`)).toEqual([]);
    // Both releases ran some: the workers that started runs belong to both processes.
    const { rows: workers } = await test.db.query<{ worker: string }>(
      `SELECT DISTINCT data->>'worker' AS worker FROM run_events WHERE kind = 'attempt_started'`,
    );
    const pids = workers.map((w) => replicas.find((replica) => replica.id === w.worker)?.pid).sort();
    expect(pids).toEqual([old.child.pid, current.child.pid].sort());
  });
});
