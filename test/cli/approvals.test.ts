import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitingForOf, type WaitRequest } from '../../src/runs/wait.ts';
import type { Database } from '../../src/store/database.ts';
import { parkRun } from '../../src/store/park-run.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { findRun, insertRuns } from '../../src/store/runs.ts';
import { findWait, insertWait } from '../../src/store/waits.ts';
import { claimRuns } from '../../src/worker/claim-runs.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { runKairos, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

// `kairos approvals list|approve|reject` and `kairos events send` against a server (subprocesses),
// on runs parked the way a worker parks them.
describe('kairos approvals and events (postgres)', () => {
  let cli: CliServer;
  let db: Database;
  beforeAll(async () => {
    cli = await startCliServer('cliwait', { assistant: { name: 'Agent' } });
    db = openPostgres({ connectionString: testDatabaseUrl, schema: cli.dbEnv.KAIROS_DB_SCHEMA! });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await cli?.close();
  });

  let worker = 0;
  async function parked(wait: Partial<WaitRequest>): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await insertRuns(db, [
      {
        id,
        schedule_id: null,
        assistant_id: cli.assistantId,
        thread_id: null,
        owner_id: cli.admin.userId,
        trigger: 'api',
        scheduled_for: null,
        not_before: new Date(now - 1000),
        start_deadline: null,
        run_number: null,
        input: {},
        metadata: {},
        max_attempts: 1,
        timeout_ms: null,
        retry_backoff_ms: 1000,
        retry_backoff_factor: 2,
        retry_backoff_max_ms: 60_000,
        ignore_overlap: false,
        created_at: new Date(now - 1000),
      },
    ]);
    const workerId = `cli-${++worker}`;
    await claimRuns(db, { now, limit: 10, workerId, leaseMs: 30_000 });
    const row = (await insertWait(
      db,
      { runId: id, workerId, attempt: 1 },
      {
        nodeKey: 'steps[0]',
        nodeName: 'approve',
        kind: 'approval',
        since: new Date(now),
        until: null,
        prompt: 'Send the invoice?',
        approvers: [],
        eventName: null,
        match: null,
        lookbackMs: 0,
        onTimeout: 'reject',
        ...wait,
      },
    ))!;
    expect(await parkRun(db, { id, attempt: 1, workerId }, row, waitingForOf(row), new Date(now))).toBe('waiting');
    return id;
  }

  it('lists, approves (with a comment and data) and rejects; a second decision exits 2 with already_decided', async () => {
    const first = await parked({});
    const second = await parked({});
    const listed = await runKairos(['approvals', 'list'], cli.env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(first);
    expect(listed.stdout).toContain('Send the invoice?');
    const json = await runKairos(['approvals', 'list', '--json'], cli.env);
    expect((JSON.parse(json.stdout) as { data: Array<{ run_id: string }> }).data.map((a) => a.run_id)).toEqual([
      first,
      second,
    ]);

    const approved = await runKairos(
      ['approvals', 'approve', first, '--comment', 'go', '--data', '{"po":"42"}', '--json'],
      cli.env,
    );
    expect(approved.status).toBe(0);
    expect((JSON.parse(approved.stdout) as { status: string }).status).toBe('pending');
    expect((await findWait(db, first, 'steps[0]'))!.result).toMatchObject({
      approved: true,
      comment: 'go',
      data: { po: '42' },
      by: cli.admin.userId,
    });
    const rejected = await runKairos(['approvals', 'reject', second], cli.env);
    expect([rejected.status, rejected.stdout.trim()]).toEqual([0, `rejected: run ${second} is pending`]);
    expect((await findWait(db, second, 'steps[0]'))!.result).toMatchObject({ approved: false });

    const again = await runKairos(['approvals', 'approve', first], cli.env);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already decided');
    const decided = await runKairos(['approvals', 'list', '--status', 'decided', '--json'], cli.env);
    expect((JSON.parse(decided.stdout) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('events send wakes the waiting run and prints it', async () => {
    const id = await parked({ kind: 'event', eventName: 'invoice.paid', match: 'event.key == "inv-7"', prompt: null });
    const miss = await runKairos(['events', 'send', 'invoice.paid', '--key', 'inv-8'], cli.env);
    expect([miss.status, miss.stdout.trim()]).toEqual([0, 'sent; no run was waiting for it']);
    const hit = await runKairos(
      ['events', 'send', 'invoice.paid', '--key', 'inv-7', '--payload', '{"eur":12}'],
      cli.env,
    );
    expect([hit.status, hit.stdout.trim()]).toEqual([0, `woke ${id}`]);
    expect((await findRun(db, id))!.status).toBe('pending');
    expect((await findWait(db, id, 'steps[0]'))!.result).toMatchObject({ key: 'inv-7', payload: { eur: 12 } });
  });
});
