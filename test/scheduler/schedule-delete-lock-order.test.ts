import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/store/database.ts';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { testDatabaseUrl } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The deadlock of DELETE /runs/crons/{id} (issue 22): a finishing run locks its row, then its
 * schedule's counters; the delete's `ON DELETE SET NULL` on runs used to lock the schedule, then
 * the run. Here a finisher's transaction is held between its two statements while the delete
 * starts, so the inverted order deadlocks every time. PostgreSQL only: PGlite has one connection,
 * so two transactions never interleave there.
 */
describe('deleting a schedule while one of its runs finishes (postgres)', () => {
  let h: ApiHarness;
  let owner: Caller;
  let finisher: pg.Client;
  let scheduleId: string;
  let runId: string;

  beforeAll(async () => {
    h = await createApiHarness('postgres', {}, { services: true });
    owner = await h.caller('member', 'lock-order');
    const assistant = (await (
      await h.call('POST', '/api/v1/assistants', {
        key: owner.key,
        body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
      })
    ).json()) as { id: string };
    const schedule = (await (
      await h.call('POST', '/api/v1/schedules', {
        key: owner.key,
        body: { assistant_id: assistant.id, schedule: { cron: '0 9 * * *' }, name: 'finishing' },
      })
    ).json()) as { id: string };
    scheduleId = schedule.id;
    const run = (await (
      await h.call('POST', `/api/v1/schedules/${scheduleId}/trigger`, { key: owner.key, body: {} })
    ).json()) as { id: string };
    runId = run.id;
    await h.db.query(`UPDATE runs SET status = 'running', started_at = now() WHERE id = $1`, [runId]);
    finisher = new pg.Client({ connectionString: testDatabaseUrl });
    await finisher.connect();
    await finisher.query(`SET search_path TO ${quoteIdent(h.db.schema)}`);
  });
  afterAll(async () => {
    await finisher?.end();
    await h?.close();
  });

  it('the delete waits for the finish (no 40P01, no 500) and both commit', async () => {
    // The finisher's first statement: the run row, as finishRuns writes it.
    await finisher.query('BEGIN');
    await finisher.query(`UPDATE runs SET status = 'success', finished_at = now() WHERE id = $1`, [runId]);
    const deleted = h.call('DELETE', `/api/v1/schedules/${scheduleId}`, { key: owner.key });
    // The delete is now blocked on a row lock (the run's).
    await waitFor(
      async () => {
        const { rows } = await h.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
             AND pid <> pg_backend_pid() AND query ILIKE '%schedule%'`,
        );
        return rows[0]!.n > 0;
      },
      { timeoutMs: 10_000, message: 'the delete waits on a lock' },
    );
    // The finisher's second statement: the schedule's counters. With the inverted order this deadlocks.
    await finisher.query(`UPDATE schedules SET last_run_at = now(), last_run_status = 'success' WHERE id = $1`, [
      scheduleId,
    ]);
    await finisher.query('COMMIT');
    const response = await deleted;
    expect(response.status).toBe(204);
    const { rows } = await h.db.query<{ status: string; schedule_id: string | null }>(
      'SELECT status, schedule_id FROM runs WHERE id = $1',
      [runId],
    );
    expect(rows[0]).toEqual({ status: 'success', schedule_id: null });
  });
});
