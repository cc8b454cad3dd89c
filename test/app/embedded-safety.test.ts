import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { runKairos, startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

// The embedded database with real `kairos` processes: never opened twice, intact after a
// SIGKILL, and a backup/restore round trip with schedules, runs, threads and keys.
interface Page<T> {
  data: T[];
}
interface Run {
  id: string;
  status: string;
}

const root = mkdtempSync(join(tmpdir(), 'kairos-embedded-'));
const dataDir = join(root, 'data');
const env = { KAIROS_DATA_DIR: dataDir, KAIROS_ALLOW_SECONDS_SCHEDULE: 'true', KAIROS_HTTP_ALLOW_PRIVATE: 'true' };

async function call<T>(
  server: KairosProcess,
  path: string,
  init: { method?: string; body?: unknown; key?: string } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.key && { authorization: `Bearer ${init.key}` }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('the embedded database (PGlite) with real processes', { timeout: 300_000 }, () => {
  let agent: AssistantServer;
  let server: KairosProcess | undefined;
  const state = { scheduleId: '', threadId: '', key: '', finished: [] as Run[] };

  beforeAll(async () => {
    agent = await startAssistantServer();
    agent.behave(() => ({ kind: 'ok' }));
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    await agent?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a second serve, migrate or offline CLI command on a held data directory stops at once, naming it and the holder', async () => {
    server = await startKairosProcess(env);
    const assistant = await call<{ id: string }>(server, '/api/v1/assistants', {
      method: 'POST',
      body: { name: 'echo', kind: 'http', config: { url: agent.url } },
    });
    expect(assistant.status).toBe(201);
    const schedule = await call<{ id: string }>(server, '/api/v1/schedules', {
      method: 'POST',
      body: { assistant_id: assistant.body.id, schedule: { cron: '* * * * * *' }, overlap: 'allow', max_concurrent: 5 },
    });
    expect(schedule.status).toBe(201);
    state.scheduleId = schedule.body.id;
    const thread = await call<{ thread_id?: string; id?: string }>(server, '/api/v1/threads', {
      method: 'POST',
      body: { metadata: { topic: 'kept' } },
    });
    expect(thread.status).toBe(201);
    state.threadId = (thread.body.id ?? thread.body.thread_id)!;
    const key = await call<{ key: string }>(server, '/api/v1/keys', { method: 'POST', body: { name: 'kept' } });
    expect(key.status).toBe(201);
    state.key = key.body.key;

    const pid = String(server.child.pid);
    for (const args of [['serve'], ['migrate'], ['keys', 'list']]) {
      const result = await runKairos(args, { ...env, PORT: '0' });
      expect(result.status, args.join(' ')).not.toBe(0);
      expect(result.stderr).toContain(dataDir);
      expect(result.stderr).toContain(`process ${pid}`);
      expect(result.stderr).toMatch(/one process only/);
    }
    // The server is unharmed.
    expect((await call(server, '/api/v1/schedules', { key: state.key })).status).toBe(200);
  });

  it('a server killed with SIGKILL starts again with every schedule and finished run intact', async () => {
    const finished = await waitFor(
      async () => {
        const { body } = await call<Page<Run>>(server!, `/api/v1/schedules/${state.scheduleId}/runs?limit=100`, {
          key: state.key,
        });
        const done = body.data.filter((run) => run.status === 'success');
        return done.length >= 3 ? done : undefined;
      },
      { timeoutMs: 60_000, message: 'three finished runs' },
    );
    server!.child.kill('SIGKILL');
    await server!.stop();
    server = await startKairosProcess(env);
    const { body } = await call<Page<Run>>(server, `/api/v1/schedules/${state.scheduleId}/runs?limit=1000`, {
      key: state.key,
    });
    const after = new Map(body.data.map((run) => [run.id, run.status]));
    for (const run of finished) expect(after.get(run.id)).toBe('success');
    expect((await call(server, `/api/v1/schedules/${state.scheduleId}`, { key: state.key })).status).toBe(200);
    state.finished = finished;
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
  });

  it('kairos backup / kairos restore: a round trip with schedules, runs, threads and keys', async () => {
    const file = join(root, 'backup', 'kairos.tar.gz');
    const backup = await runKairos(['backup', file], env);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backed up .* bytes/);

    const restoredDir = join(root, 'restored');
    const restoredEnv = { ...env, KAIROS_DATA_DIR: restoredDir };
    const restore = await runKairos(['restore', file], restoredEnv);
    expect(restore.status, restore.stderr).toBe(0);
    const again = await runKairos(['restore', file], restoredEnv);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a database.*--force/);

    const onPostgres = await runKairos(['backup', file], { DATABASE_URL: testDatabaseUrl });
    expect(onPostgres.status).not.toBe(0);
    expect(onPostgres.stderr).toMatch(/pg_dump/);

    server = await startKairosProcess({ ...restoredEnv, KAIROS_ROLES: 'api' });
    // The key authenticates (keys restored; local mode is off because a key exists).
    expect((await call(server, '/api/v1/schedules')).status).toBe(401);
    expect((await call(server, `/api/v1/schedules/${state.scheduleId}`, { key: state.key })).status).toBe(200);
    const thread = await call<{ metadata: Record<string, unknown> }>(server, `/api/v1/threads/${state.threadId}`, {
      key: state.key,
    });
    expect(thread.status).toBe(200);
    expect(thread.body.metadata).toMatchObject({ topic: 'kept' });
    const { body } = await call<Page<Run>>(server, `/api/v1/schedules/${state.scheduleId}/runs?limit=1000`, {
      key: state.key,
    });
    const restored = new Map(body.data.map((run) => [run.id, run.status]));
    for (const run of state.finished) expect(restored.get(run.id)).toBe('success');
  });
});
