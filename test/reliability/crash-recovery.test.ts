import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

// A crash is not a failure: `kairos serve` (embedded database) is SIGKILLed while a run waits for
// its agent, or while a workflow is at its second step. Restarted on the same data directory (it
// takes the data-dir lock, so it knows the runs left `running` are its dead predecessor's), it
// resumes them at once (the lease is 10 minutes: not its expiry) without using up their one
// attempt: the agent gets the same Idempotency-Key, the workflow does not redo its first step.
interface RunBody {
  id: string;
  status: string;
  error_kind: string | null;
  attempt: number;
  max_attempts: number;
  recoveries: number;
}

describe('a SIGKILLed kairos serve resumes its runs on restart (embedded)', () => {
  let dataDir: string;
  let agent: AssistantServer;
  let kairos: KairosProcess | undefined;
  const env = () => ({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true', KAIROS_LEASE_SECONDS: '600' });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-crash-'));
    agent = await startAssistantServer();
    kairos = await startKairosProcess(env());
  }, 120_000);
  afterAll(async () => {
    await kairos?.stop('SIGTERM');
    await agent?.close();
    rmSync(dataDir, { recursive: true, force: true });
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

  /** SIGKILL, then `kairos serve` again on the same data directory. */
  async function crashAndRestart(): Promise<void> {
    await kairos!.stop('SIGKILL');
    kairos = await startKairosProcess(env());
  }

  const settled = (id: string) =>
    waitFor(
      async () => {
        const run = await api<RunBody>('GET', `/api/v1/runs/${id}`);
        return run.status === 'pending' || run.status === 'running' ? undefined : run;
      },
      { timeoutMs: 60_000, message: `run ${id} to end` },
    );

  it(
    'during an agent call: the same run resumes with the same Idempotency-Key, no attempt used',
    { timeout: 240_000 },
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
      await crashAndRestart();
      const done = await settled(run.id);
      expect(done).toMatchObject({ status: 'success', attempt: 2, max_attempts: 1, recoveries: 1 });
      expect(agent.requests.map((request) => request.headers['idempotency-key'])).toEqual([run.id, run.id]);
      const { events } = await api<{ events: Array<{ kind: string; data: Record<string, unknown> }> }>(
        'GET',
        `/api/v1/runs/${run.id}`,
      );
      expect(events.filter((event) => event.kind === 'recovered').map((event) => event.data)).toEqual([
        expect.objectContaining({ attempt: 2, recovery: 1, max_recoveries: 3 }),
      ]);
    },
  );

  it(
    'during a workflow step: it resumes at that step; the first step is not run again',
    { timeout: 240_000 },
    async () => {
      agent.requests.length = 0;
      const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', {
        name: 'steps',
        kind: 'http',
        config: { url: agent.url },
      });
      const workflow = await api<{ id: string }>('POST', '/api/v1/workflows', {
        name: 'two-steps',
        steps: [
          { type: 'step', name: 'first', assistant_id: assistant.id },
          { type: 'step', name: 'second', assistant_id: assistant.id },
        ],
      });
      // The first step answers; the second step's first request hangs until the process dies.
      agent.behave((_, i) => (i === 1 ? { kind: 'hang' } : { kind: 'ok', output: { step: i } }));
      const run = await api<RunBody>('POST', `/api/v1/workflows/${workflow.id}/runs`, { input: 'go' });
      await waitFor(() => agent.requests.length === 2, { timeoutMs: 60_000, message: 'the second step call' });
      await crashAndRestart();
      const done = await settled(run.id);
      expect(done).toMatchObject({ status: 'success', attempt: 2, max_attempts: 1, recoveries: 1 });
      // first, second (killed), second again: the same key for the repeated step, the first not repeated.
      const keys = agent.requests.map((request) => String(request.headers['idempotency-key']));
      expect(keys).toHaveLength(3);
      expect(keys[2]).toBe(keys[1]);
      expect(keys[0]).not.toBe(keys[1]);
    },
  );
});
