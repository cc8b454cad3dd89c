import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { insertRuns, type NewRun } from '../../src/store/runs.ts';
import { BacklogMonitor } from '../../src/worker/backlog-monitor.ts';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';
import { ManualClock } from '../engine/harness.ts';
import { databaseKinds } from '../helpers/databases.ts';

// Saturation is visible: the due pending runs and the oldest one's age as gauges, one log line a
// minute while the workers are behind, and the same in /healthz for the dashboard.
function pending(assistantId: string, notBefore: number): NewRun {
  return {
    id: randomUUID(),
    schedule_id: null,
    assistant_id: assistantId,
    thread_id: null,
    owner_id: localAdminId,
    trigger: 'api',
    scheduled_for: null,
    not_before: new Date(notBefore),
    start_deadline: new Date(notBefore + 3_600_000),
    run_number: null,
    input: {},
    metadata: {},
    max_attempts: 1,
    timeout_ms: null,
    retry_backoff_ms: 1000,
    retry_backoff_factor: 2,
    retry_backoff_max_ms: 60_000,
    ignore_overlap: false,
    created_at: new Date(notBefore),
  };
}

describe.each(databaseKinds)('the run backlog (%s)', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness(kind);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  it('gauges, a log line a minute while behind, and /healthz', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const clock = new ManualClock(Date.now());
    const metrics = createMetrics();
    const monitor = new BacklogMonitor({ db: api.db, clock, logger: createLogger('info', sink), metrics });

    // Nothing due: gauges at 0, no line.
    expect(await monitor.check()).toEqual({ due: 0, oldestAgeMs: null });
    const assistant = await insertAssistant(api.db, {
      ownerId: localAdminId,
      name: 'a',
      kind: 'http',
      config: { url: 'http://127.0.0.1:9/run' },
    });
    const now = clock.now();
    await insertRuns(api.db, [
      pending(assistant.id, now - 90_000),
      pending(assistant.id, now - 10_000),
      pending(assistant.id, now + 60_000),
    ]);
    expect(await monitor.check()).toEqual({ due: 2, oldestAgeMs: 90_000 });
    const text = await metrics.text();
    expect(text).toMatch(/^kairos_runs_backlog 2$/m);
    expect(text).toMatch(/^kairos_runs_backlog_oldest_age_ms 90000$/m);
    clock.advance(30_000);
    await monitor.check();
    clock.advance(30_000);
    await monitor.check();
    const behind = lines.filter((line) => line.msg === 'workers are behind: runs are due and waiting for a slot');
    // At 0 s and at 60 s (the run due at +60 s has joined): one line a minute, not one a check.
    expect(behind.map((line) => [line.backlog, line.oldest_pending_age_ms])).toEqual([
      [2, 90_000],
      [3, 150_000],
    ]);

    const response = await api.call('GET', '/healthz');
    expect(response.status).toBe(200);
    const health = (await response.json()) as {
      backlog: { due: number; oldest_pending_age_ms: number; behind: boolean };
    };
    expect(health.backlog.due).toBe(2);
    expect(health.backlog.oldest_pending_age_ms).toBeGreaterThanOrEqual(90_000);
    expect(health.backlog.behind).toBe(true);
    await monitor.close();
  });
});
