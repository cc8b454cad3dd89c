import type { Database, Queryable } from './database.ts';

/**
 * The statements of the budget gate (src/gates/budget-gate.ts, docs/gates.md "Budgets"): what
 * budgets apply to runs, the per-budget locks, the spend so far and in flight, and the writes of
 * a decision (hold, park on an approval, pause). They run in the worker's claim transaction.
 */

/** A budget as stored (jsonb; validated by src/runs/budget.ts before it is written). */
export interface StoredBudget {
  tokens_per_run?: number;
  tokens_per_day?: number;
  usd_per_day?: number;
  usd_per_month?: number;
  on_exceed: 'stop' | 'pause' | 'ask';
}

/** The key of a budget's approval wait on a run (one per run: an approval admits it for good). */
export const budgetWaitKey = 'budget';

/** A run about to start, with the budgets that apply to it and its budget approval, if any. */
export interface RunBudgetsRow {
  id: string;
  schedule_id: string | null;
  assistant_id: string | null;
  owner_id: string;
  schedule_name: string | null;
  schedule_timezone: string | null;
  schedule_budget: unknown;
  assistant_name: string | null;
  assistant_budget: unknown;
  user_name: string | null;
  user_budget: unknown;
  /** The run's budget approval: null when it never asked; `approved` null while undecided. */
  approval: { resolved: boolean; approved: boolean | null; by: string | null } | null;
}

/** The budgets of these runs' schedules, assistants and owners (one statement). */
export async function budgetsOfRuns(tx: Queryable, runIds: readonly string[]): Promise<RunBudgetsRow[]> {
  if (runIds.length === 0) return [];
  const { rows } = await tx.query<RunBudgetsRow>(
    `SELECT r.id, r.schedule_id, r.assistant_id, r.owner_id,
       s.name AS schedule_name, s.timezone AS schedule_timezone, s.budget AS schedule_budget,
       a.name AS assistant_name, a.budget AS assistant_budget, u.name AS user_name, u.budget AS user_budget,
       (SELECT jsonb_build_object('resolved', w.resolved_at IS NOT NULL,
          'approved', (w.result ->> 'approved')::boolean, 'by', w.decided_by)
        FROM waits w WHERE w.run_id = r.id AND w.node_key = $2) AS approval
     FROM runs r
     LEFT JOIN schedules s ON s.id = r.schedule_id
     LEFT JOIN assistants a ON a.id = r.assistant_id
     LEFT JOIN users u ON u.id = r.owner_id
     WHERE r.id = ANY($1::uuid[])`,
    [runIds, budgetWaitKey],
  );
  return rows;
}

/**
 * Serialises the check and the start per budget across replicas: a blocking transaction lock
 * per budget, taken in key order (two claims never wait for each other in a cycle). The spend is
 * read by the next statement, after the locks, so it sees what the previous holder committed.
 */
export async function lockBudgets(tx: Queryable, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k.key, 0)))
     FROM (SELECT DISTINCT key FROM unnest($1::text[]) AS u(key) ORDER BY key) k`,
    [keys],
  );
}

/** A budget's owner: the runs of a schedule, of an assistant, or of a user (its owner). */
export interface BudgetScopeRef {
  key: string;
  scope: 'schedule' | 'assistant' | 'user';
  id: string;
  /** Days and months are in this zone (the schedule's; UTC for assistants and users). */
  timezone: string;
}

/**
 * One row of spend: `part` `day` / `month` sums the usage of the scope's runs created since the
 * period began (in its zone) per model; `recent` is one of its last 20 finished runs that recorded usage
 * (the estimate of a run in flight); `running` counts its runs in flight (`tokens` = the count).
 */
export interface SpendRow {
  key: string;
  part: 'day' | 'month' | 'recent' | 'running';
  model: string | null;
  prompt_tokens: string | number;
  completion_tokens: string | number;
  tokens: string | number;
}

/** The spend of each scope: this day's and month's usage by model, recent runs, runs in flight. */
export async function budgetSpends(db: Queryable, scopes: readonly BudgetScopeRef[], now: Date): Promise<SpendRow[]> {
  if (scopes.length === 0) return [];
  const { rows } = await db.query<SpendRow>(
    `WITH b AS (
       SELECT key, scope, id,
         date_trunc('day', $5::timestamptz AT TIME ZONE tz) AT TIME ZONE tz AS day_start,
         date_trunc('month', $5::timestamptz AT TIME ZONE tz) AT TIME ZONE tz AS month_start
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[]) AS u(key, scope, id, tz)
     ), r AS (
       SELECT b.key, b.day_start, x.* FROM b CROSS JOIN LATERAL (
         SELECT r.id, r.created_at, r.status, r.lease_expires_at FROM runs r
           WHERE b.scope = 'schedule' AND r.schedule_id = b.id AND r.created_at >= b.month_start
         UNION ALL
         SELECT r.id, r.created_at, r.status, r.lease_expires_at FROM runs r
           WHERE b.scope = 'assistant' AND r.assistant_id = b.id AND r.created_at >= b.month_start
         UNION ALL
         SELECT r.id, r.created_at, r.status, r.lease_expires_at FROM runs r
           WHERE b.scope = 'user' AND r.owner_id = b.id AND r.created_at >= b.month_start
       ) x
     )
     SELECT r.key, p.part, u.model, coalesce(sum(u.prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(u.completion_tokens), 0) AS completion_tokens, coalesce(sum(u.total_tokens), 0) AS tokens
     FROM r JOIN run_usage_v u ON u.run_id = r.id
       CROSS JOIN LATERAL (VALUES ('month'), ('day')) AS p(part)
     WHERE p.part = 'month' OR r.created_at >= r.day_start
     GROUP BY 1, 2, 3
     UNION ALL
     SELECT b.key, 'recent', x.model, x.prompt_tokens, x.completion_tokens, x.total_tokens
     FROM b CROSS JOIN LATERAL (
       -- One branch per scope (a one-time filter on b.scope), each down its (…, created_at) index.
       (SELECT u.model, coalesce(u.prompt_tokens, 0) AS prompt_tokens, coalesce(u.completion_tokens, 0) AS completion_tokens,
          coalesce(u.total_tokens, 0) AS total_tokens
        FROM runs r JOIN run_usage_v u ON u.run_id = r.id
        WHERE b.scope = 'schedule' AND r.schedule_id = b.id AND r.finished_at IS NOT NULL
        ORDER BY r.created_at DESC LIMIT 20)
       UNION ALL
       (SELECT u.model, coalesce(u.prompt_tokens, 0), coalesce(u.completion_tokens, 0), coalesce(u.total_tokens, 0)
        FROM runs r JOIN run_usage_v u ON u.run_id = r.id
        WHERE b.scope = 'assistant' AND r.assistant_id = b.id AND r.finished_at IS NOT NULL
        ORDER BY r.created_at DESC LIMIT 20)
       UNION ALL
       (SELECT u.model, coalesce(u.prompt_tokens, 0), coalesce(u.completion_tokens, 0), coalesce(u.total_tokens, 0)
        FROM runs r JOIN run_usage_v u ON u.run_id = r.id
        WHERE b.scope = 'user' AND r.owner_id = b.id AND r.finished_at IS NOT NULL
        ORDER BY r.created_at DESC LIMIT 20)
     ) x
     UNION ALL
     SELECT r.key, 'running', NULL, 0, 0, count(*) FROM r
     WHERE r.status = 'running' AND r.lease_expires_at >= $5
     GROUP BY 1`,
    [scopes.map((s) => s.key), scopes.map((s) => s.scope), scopes.map((s) => s.id), scopes.map((s) => s.timezone), now],
  );
  return rows;
}

/** Marks runs held by a budget (`held_reason = 'budget'`) and clears the mark of runs it admits. */
export async function markBudgetHolds(
  tx: Queryable,
  held: readonly string[],
  admitted: readonly string[],
): Promise<void> {
  if (held.length === 0 && admitted.length === 0) return;
  await tx.query(
    `UPDATE runs SET held_reason = CASE WHEN id = ANY($1::uuid[]) THEN 'budget' END
     WHERE id = ANY($1::uuid[]) OR (id = ANY($2::uuid[]) AND held_reason = 'budget')`,
    [held, admitted],
  );
}

/** A run to park on a budget approval. */
export interface BudgetPark {
  id: string;
  prompt: string;
  until: Date;
}

/**
 * Parks pending runs on a budget approval (`ask`): a `waits` row (`approval`, key `budget`,
 * rejected on timeout), the run `waiting` with its `waiting_for`, a `wait` event; wakes the
 * wait-timer claimers. One statement.
 */
export async function parkOnBudget(
  tx: Queryable,
  channels: Pick<Database, 'channelName'>,
  parks: readonly BudgetPark[],
  now: Date,
): Promise<string[]> {
  if (parks.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(id, prompt, until)
     ), w AS (
       INSERT INTO waits (run_id, node_key, node_name, kind, since, until, prompt, approvers, on_timeout)
       SELECT u.id, $4, 'budget', 'approval', $5, u.until, u.prompt, '{}'::text[], 'reject' FROM u
       ON CONFLICT (run_id, node_key) DO NOTHING
       RETURNING run_id
     ), p AS (
       UPDATE runs r SET status = 'waiting', held_reason = NULL,
         waiting_for = jsonb_build_object('kind', 'approval', 'node', 'budget', 'since', $6::text,
           'until', to_char(u.until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'prompt', u.prompt)
       FROM u WHERE r.id = u.id AND r.id IN (SELECT run_id FROM w) AND r.status = 'pending'
       RETURNING r.id, r.waiting_for
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT p.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = p.id), 0) + 1, 'wait', p.waiting_for
       FROM p
     )
     SELECT p.id, pg_notify($7, '0') IS NULL AS notified FROM p`,
    [
      parks.map((p) => p.id),
      parks.map((p) => p.prompt),
      parks.map((p) => p.until),
      budgetWaitKey,
      now,
      now.toISOString(),
      channels.channelName('waits'),
    ],
  );
  return rows.map((row) => row.id);
}

/** Pauses schedules for a reached budget (`pause`): `paused_by` null, the note naming the budget. */
export async function pauseForBudget(
  tx: Queryable,
  pauses: ReadonlyArray<{ scheduleId: string; note: string }>,
  now: Date,
): Promise<string[]> {
  if (pauses.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE schedules s SET enabled = false, paused_at = $3, paused_by = NULL, pause_note = u.note,
       version = version + 1, updated_at = $3
     FROM unnest($1::uuid[], $2::text[]) AS u(id, note)
     WHERE s.id = u.id AND s.enabled AND s.completed_at IS NULL
     RETURNING s.id`,
    [pauses.map((p) => p.scheduleId), pauses.map((p) => p.note), now],
  );
  return rows.map((row) => row.id);
}

/** The budgets that apply to a schedule's runs: its own, its assistant's, its owner's. */
export async function budgetsOfSchedule(
  db: Queryable,
  scheduleId: string,
): Promise<
  | {
      assistant_id: string | null;
      owner_id: string;
      schedule_budget: unknown;
      assistant_budget: unknown;
      user_budget: unknown;
    }
  | undefined
> {
  const { rows } = await db.query<{
    assistant_id: string | null;
    owner_id: string;
    schedule_budget: unknown;
    assistant_budget: unknown;
    user_budget: unknown;
  }>(
    `SELECT s.assistant_id, s.owner_id, s.budget AS schedule_budget, a.budget AS assistant_budget, u.budget AS user_budget
     FROM schedules s LEFT JOIN assistants a ON a.id = s.assistant_id LEFT JOIN users u ON u.id = s.owner_id
     WHERE s.id = $1`,
    [scheduleId],
  );
  return rows[0];
}
