import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdmin } from '../../src/auth/actor.ts';
import { readOnlyQuery } from '../../src/observability/read-only-query.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/databases.ts';

/** The worked queries of docs/data-model.md, by the name in their `<!-- query: name -->` marker. */
function documentedQueries(): Map<string, string> {
  const text = readFileSync(new URL('../../docs/data-model.md', import.meta.url), 'utf8');
  const queries = new Map<string, string>();
  for (const match of text.matchAll(/<!-- query: ([\w-]+) -->\s*```sql\n([\s\S]*?)```/g))
    queries.set(match[1]!, match[2]!.trim());
  return queries;
}

const owner = '00000000-0000-0000-0000-000000000001';
const hour = 3_600_000;

/** Two schedules with a week of runs: successes, failures, a skip, usage on some, one api run. */
async function seed(db: Database): Promise<{ digest: string; sync: string; failedRun: string }> {
  const { rows: assistants } = await db.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'writer', 'http', '{"url":"http://127.0.0.1:9/"}') RETURNING id`,
    [owner],
  );
  const assistant = assistants[0]!.id;
  const schedule = async (name: string) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron) VALUES ($1, $2, $3, 'cron', '0 * * * *') RETURNING id`,
        [owner, name, assistant],
      )
    ).rows[0]!.id;
  const digest = await schedule('digest');
  const sync = await schedule('sync');
  const now = Date.now();
  let failedRun = '';
  const run = async (
    scheduleId: string | null,
    n: number,
    agoMs: number,
    status: string,
    durationMs: number | null,
    usage: unknown,
    errorKind: string | null = null,
  ) => {
    const created = new Date(now - agoMs);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, scheduled_for, not_before, run_number, status, error_kind,
                         error, usage, created_at, started_at, finished_at, duration_ms)
       VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $5, $5, $12, $11)
       RETURNING id`,
      [
        scheduleId,
        assistant,
        owner,
        scheduleId ? 'schedule' : 'api',
        created,
        scheduleId ? n : null,
        status,
        errorKind,
        errorKind ? 'the agent answered 500' : null,
        usage === null ? null : JSON.stringify(usage),
        durationMs,
        new Date(created.getTime() + (durationMs ?? 0)),
      ],
    );
    return rows[0]!.id;
  };
  // digest: 3 runs in the last day (2 ok with usage, 1 error), 2 older this week (ok), 1 from 10 days ago (error).
  await run(digest, 1, 10 * 24 * hour, 'error', 100, null, 'assistant_error');
  await run(digest, 2, 3 * 24 * hour, 'success', 200, {
    prompt_tokens: 100,
    completion_tokens: 50,
    total_tokens: 150,
    model: 'gpt-4o-mini',
  });
  await run(digest, 3, 2 * 24 * hour, 'success', 300, null);
  await run(digest, 4, 3 * hour, 'success', 5000, { prompt_tokens: 10, completion_tokens: 5 });
  await run(digest, 5, 2 * hour, 'success', 400, { total_tokens: 1000 });
  failedRun = await run(digest, 6, 1 * hour, 'error', 700, null, 'assistant_error');
  await db.query(
    `INSERT INTO run_events (run_id, seq, kind, data) VALUES ($1, 1, 'run.started', '{}'), ($1, 2, 'http.response', '{"status":500}')`,
    [failedRun],
  );
  // sync: one success and one skip in the last day, one timeout this week.
  await run(sync, 1, 4 * 24 * hour, 'timeout', 9000, null, 'timeout');
  await run(sync, 2, 5 * hour, 'success', 50, null);
  await run(sync, 3, 4 * hour, 'skipped', null, null);
  // An api run outside schedules, in the last day.
  await run(null, 0, 30 * 60_000, 'success', 20, null);
  // A workflow run whose loop drafted twice (the second attempt of iteration 2 succeeded).
  const { rows: wf } = await db.query<{ id: string }>(
    `INSERT INTO workflows (owner_id, name, definition) VALUES ($1, 'newsletter', '{"name":"newsletter","steps":[]}') RETURNING id`,
    [owner],
  );
  const { rows: wfRun } = await db.query<{ id: string }>(
    `INSERT INTO runs (workflow_id, owner_id, trigger, not_before, status) VALUES ($1, $2, 'api', now(), 'success') RETURNING id`,
    [wf[0]!.id, owner],
  );
  const started = new Date(now - hour);
  for (const [key, name, iteration, attempt, status, duration] of [
    ['steps[0]', 'research', null, 1, 'success', 100],
    ['steps[1]@1.steps[0]', 'draft', 1, 1, 'success', 900],
    ['steps[1]@2.steps[0]', 'draft', 2, 2, 'success', 1200],
  ] as const) {
    await db.query(
      `INSERT INTO run_steps (run_id, key, path, name, type, status, attempt, iteration, started_at, finished_at, duration_ms)
       VALUES ($1, $2, $2, $3, 'step', $4, $5, $6, $7, $7, $8)`,
      [wfRun[0]!.id, key, name, status, attempt, iteration, started, duration],
    );
  }
  return { digest, sync, failedRun };
}

describe.each(databaseKinds)('documented SQL queries (%s)', (kind) => {
  let test: TestDatabase;
  let ids: Awaited<ReturnType<typeof seed>>;
  const queries = documentedQueries();
  const rows = async (name: string) => {
    const sql = queries.get(name);
    if (!sql) throw new Error(`docs/data-model.md has no query "${name}"`);
    // Through the SQL console (its reader role and name check), as `kairos sql` runs them.
    return (await readOnlyQuery(test.db, localAdmin, sql)).rows;
  };

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    ids = await seed(test.db);
  });
  afterAll(async () => test?.close());

  it('documents every query this suite checks', () => {
    expect([...queries.keys()].sort()).toEqual(
      [
        'failure-rate-week',
        'fired-last-24h',
        'run-trace',
        'slowest-runs',
        'tokens-per-day',
        'workflow-step-runs',
      ].sort(),
    );
  });

  it('what fired in the last 24 hours: scheduled runs only, newest first', async () => {
    const fired = await rows('fired-last-24h');
    expect(fired.map((row) => [row.schedule_name, row.run_number, row.status])).toEqual([
      ['digest', 6, 'error'],
      ['digest', 5, 'success'],
      ['digest', 4, 'success'],
      ['sync', 3, 'skipped'],
      ['sync', 2, 'success'],
    ]);
    expect(fired[0]!.error_kind).toBe('assistant_error');
  });

  it('failure rate per schedule this week', async () => {
    const rates = await rows('failure-rate-week');
    const byName = Object.fromEntries(rates.map((row) => [row.schedule_name, row]));
    // digest this week: 4 successes, 1 error (the one 10 days ago is outside); sync: 1 success, 1 timeout, 1 skip.
    expect(Number(byName.digest!.runs)).toBe(5);
    expect(Number(byName.digest!.failed)).toBe(1);
    expect(Number(byName.digest!.failure_rate)).toBeCloseTo(0.2, 3);
    expect(Number(byName.sync!.runs)).toBe(3);
    expect(Number(byName.sync!.failure_rate)).toBeCloseTo(0.5, 3);
    expect(rates[0]!.schedule_name).toBe('sync');
    // The api run has no schedule: one row for it, without a name, last.
    expect(rates.filter((row) => row.schedule_name === null)).toHaveLength(1);
  });

  it('the slowest runs of the week', async () => {
    const slowest = await rows('slowest-runs');
    expect(slowest.map((row) => Number(row.duration_ms))).toEqual([9000, 5000, 700, 400, 300, 200, 50, 20]);
    expect(slowest[0]!.schedule_name).toBe('sync');
  });

  it('tokens per schedule and day over 30 days: reported totals, or prompt + completion', async () => {
    const tokens = await rows('tokens-per-day');
    const total = tokens.reduce((sum, row) => sum + Number(row.tokens), 0);
    // 1000 (a total only) + 15 (10 + 5, no total) + 150 (a reported total).
    expect(total).toBe(1165);
    expect(tokens.every((row) => row.schedule_name === 'digest')).toBe(true);
  });

  it('lists the runs of one workflow step', async () => {
    const steps = await rows('workflow-step-runs');
    expect(steps.map((row) => [row.workflow, row.iteration, row.attempt, Number(row.duration_ms)])).toEqual([
      ['newsletter', 2, 2, 1200],
      ['newsletter', 1, 1, 900],
    ]);
  });

  it('follows the last failed run into its trace', async () => {
    const trace = await rows('run-trace');
    expect(trace.map((row) => row.kind)).toEqual(['run.started', 'http.response']);
    const { rows: usage } = await test.db.query<{ run_id: string; model: string | null; total_tokens: string }>(
      `SELECT run_id, model, total_tokens FROM run_usage_v ORDER BY total_tokens`,
    );
    expect(usage.map((row) => [row.model, Number(row.total_tokens)])).toEqual([
      [null, 15],
      ['gpt-4o-mini', 150],
      [null, 1000],
    ]);
    expect(ids.failedRun).toBeTruthy();
  });
});
