import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { applicationNameOf } from '../../src/store/application-name.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { insertRuns, type NewRun } from '../../src/store/runs.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { startAssistantServer, type AssistantServer } from '../helpers/assistant-server.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

// A frozen replica cannot hold row locks past its lease: `kairos serve` (lease 2 s) is SIGSTOPped
// inside a claim transaction, holding the row locks of the runs it was claiming. Its session ends
// by idle_in_transaction_session_timeout (set from the lease), so another replica claims those
// runs within about a lease; before, SKIP LOCKED passed over them for as long as it was frozen.
// On the shared server: the only session ended is the frozen replica's own.
describe('a replica frozen inside a claim (postgres)', () => {
  let test: TestDatabase | undefined;
  let agent: AssistantServer | undefined;
  let kairos: KairosProcess | undefined;
  afterAll(async () => {
    if (kairos && kairos.child.exitCode === null) kairos.child.kill('SIGCONT');
    await kairos?.stop('SIGKILL');
    await agent?.close();
    await test?.close();
  });

  it('loses its locks within a lease: another replica claims the runs', { timeout: 120_000 }, async () => {
    test = await createTestDatabase('postgres');
    agent = await startAssistantServer();
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'agent',
      kind: 'http',
      config: { url: agent.url },
    });
    kairos = await startKairosProcess({
      DATABASE_URL: testDatabaseUrl,
      KAIROS_DB_SCHEMA: test.db.schema,
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_ROLES: 'api,worker',
      KAIROS_LEASE_SECONDS: '2',
      KAIROS_HEARTBEAT_SECONDS: '0.5',
      KAIROS_TEST_PAUSE_IN_CLAIM_MS: '600000',
    });
    const now = Date.now();
    const runs: NewRun[] = Array.from({ length: 3 }, () => ({
      id: randomUUID(),
      schedule_id: null,
      assistant_id: assistant.id,
      thread_id: null,
      owner_id: localAdminId,
      trigger: 'api',
      scheduled_for: null,
      not_before: new Date(now),
      start_deadline: new Date(now + 300_000),
      run_number: null,
      input: {},
      metadata: {},
      max_attempts: 1,
      timeout_ms: null,
      retry_backoff_ms: 1000,
      retry_backoff_factor: 2,
      retry_backoff_max_ms: 60_000,
      ignore_overlap: false,
      created_at: new Date(now),
    }));
    await insertRuns(test.db, runs);
    await test.db.notify('runs', String(now));
    await waitFor(() => kairos!.stderr().includes('kairos-test-hook: paused inside a claim'), {
      timeoutMs: 30_000,
      message: 'the replica to pause inside its claim',
    });
    kairos.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // While its transaction lives, the runs are locked: another replica's claim skips them.
    const first = await claimRuns(test.db, { now: Date.now(), limit: 8, workerId: 'other', leaseMs: 30_000 });
    expect(first.started).toEqual([]);
    const claimed = await waitFor(
      async () => {
        const result = await claimRuns(test!.db, { now: Date.now(), limit: 8, workerId: 'other', leaseMs: 30_000 });
        return result.started.length > 0 ? result.started : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, message: 'another replica to claim the runs the frozen one locked' },
    );
    const tookMs = Date.now() - frozenAt;
    expect(claimed.map((run) => run.id).sort()).toEqual(runs.map((run) => run.id).sort());
    // Within the lease (2 s) plus the time to notice, not for as long as the replica stays frozen.
    expect(tookMs).toBeLessThan(6000);
    const { rows: replicas } = await test.db.query<{ id: string }>('SELECT id FROM replicas');
    const { rows: sessions } = await test.db.query<{ state: string }>(
      'SELECT state FROM pg_stat_activity WHERE application_name = ANY($1::text[])',
      [replicas.map((replica) => applicationNameOf(replica.id))],
    );
    expect(sessions.filter((session) => session.state === 'idle in transaction')).toEqual([]);
    // Thawed, it cannot start them: its transaction is gone and the runs are another's.
    kairos.child.kill('SIGCONT');
    const { rows } = await test.db.query<{ lease_owner: string }>(
      'SELECT lease_owner FROM runs WHERE id = ANY($1::uuid[])',
      [runs.map((run) => run.id)],
    );
    expect(rows.map((row) => row.lease_owner)).toEqual(['other', 'other', 'other']);
  });
});
