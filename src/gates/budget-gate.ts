import type { Pricing } from '../observability/pricing.ts';
import { defaultApprovalTimeoutMs } from '../runs/approval-wait.ts';
import {
  budgetOf,
  periodLimits,
  tokensPerRunOf,
  type Budget,
  type BudgetScope,
  type PeriodLimit,
} from '../runs/budget.ts';
import { appendScheduleEvents } from '../store/schedule-events.ts';
import type { Database, Queryable } from '../store/database.ts';
import { cancelRunsAhead } from '../store/cancel-runs-ahead.ts';
import {
  budgetSpends,
  budgetsOfRuns,
  lockBudgets,
  markBudgetHolds,
  parkOnBudget,
  pauseForBudget,
  type BudgetScopeRef,
  type RunBudgetsRow,
  type SpendRow,
} from '../store/budgets.ts';
import { scopeSpend, type ScopeSpend } from '../observability/budget-spend.ts';

/** A run the gate ended without starting it (`skipped`, `budget`). */
export interface BudgetEnding {
  id: string;
  status: 'skipped';
  errorKind: 'budget';
  error: string;
}

/** What the budget gate decided for the runs a claim was about to start. */
export interface BudgetDecision {
  /** Runs that may start, in the order given. */
  start: string[];
  /** Runs that end `skipped` with `budget` (`stop`, `pause`, a rejected approval). */
  endings: BudgetEnding[];
  /** Runs that stay `pending` (`held_reason = 'budget'`): only the spend of runs in flight keeps them out. */
  held: string[];
  /** Runs parked `waiting` on a budget approval (`ask`). */
  parked: string[];
  /** Schedules paused by a `pause` budget. */
  paused: string[];
  /** Each started run's `tokens_per_run` (the least of its budgets), when one applies. */
  tokensPerRun: Map<string, number>;
}

interface ScopedBudget {
  scope: BudgetScope;
  key: string;
  name: string;
  budget: Budget;
}

const scopeWords: Record<BudgetScope, string> = { schedule: 'schedule', assistant: 'assistant', user: 'user' };

/** The budgets of a run: its schedule's, its assistant's, its owner's (the first found decides the action). */
function budgetsOf(row: RunBudgetsRow): ScopedBudget[] {
  const out: ScopedBudget[] = [];
  const add = (scope: BudgetScope, id: string | null, name: string | null, value: unknown) => {
    const budget = budgetOf(value);
    if (id && budget) out.push({ scope, key: `${scope}:${id}`, name: name ?? id, budget });
  };
  add('schedule', row.schedule_id, row.schedule_name, row.schedule_budget);
  add('assistant', row.assistant_id, row.assistant_name, row.assistant_budget);
  add('user', row.owner_id, row.user_name, row.user_budget);
  return out;
}

function describeLimit(limit: PeriodLimit, spent: number): string {
  const amount = (n: number) => (limit.unit === 'usd' ? `$${n.toFixed(4)}` : `${Math.round(n)} tokens`);
  return `${amount(spent)} of its ${amount(limit.limit)} per ${limit.period} (${limit.key})`;
}

/**
 * Decides, inside the worker's claim transaction, which of the runs about to start may (docs/gates.md
 * "Budgets"). Per budget, under a transaction lock on it (so the check and the start are atomic
 * across replicas), a run is compared with each day and month limit of its schedule, assistant
 * and owner:
 * - spent ≥ limit: the limit is reached; the first reached budget's `on_exceed` decides: `stop`
 *   ends the run `skipped` (`budget`); `pause` does too and pauses its schedule with a note; `ask`
 *   parks it `waiting` on an approval (approved: it starts despite the budget; rejected: skipped).
 * - spent + reserved ≥ limit: held `pending` (`held_reason = 'budget'`) until the runs in flight
 *   finish. Each run in flight (running, or admitted earlier in this claim) reserves the budget's
 *   `tokens_per_run` (tokens) or the mean spend of the scope's last 20 finished runs; with neither,
 *   it reserves all that is left (one run at a time until a run has recorded its spend).
 * - otherwise it starts, and reserves its share for the runs after it.
 */
export async function gateBudgets(
  tx: Queryable,
  db: Pick<Database, 'schema' | 'channelName'>,
  runIds: readonly string[],
  options: { now: Date; pricing: Pricing },
): Promise<BudgetDecision> {
  const decision: BudgetDecision = {
    start: [],
    endings: [],
    held: [],
    parked: [],
    paused: [],
    tokensPerRun: new Map(),
  };
  if (runIds.length === 0) return decision;
  const rows = new Map((await budgetsOfRuns(tx, runIds)).map((row) => [row.id, row]));
  const scopes = new Map<string, BudgetScopeRef>();
  const checked: Array<{ row: RunBudgetsRow; budgets: ScopedBudget[] }> = [];
  for (const id of runIds) {
    const row = rows.get(id);
    if (!row) continue;
    const budgets = budgetsOf(row);
    const perRun = tokensPerRunOf(budgets.map((b) => b.budget));
    if (perRun !== null) decision.tokensPerRun.set(id, perRun);
    if (row.approval?.resolved && row.approval.approved === false) {
      decision.endings.push({
        id,
        status: 'skipped',
        errorKind: 'budget',
        error: `skipped: the budget approval was rejected${row.approval.by ? '' : ' (it timed out)'}`,
      });
      continue;
    }
    const periodic = budgets.filter((b) => periodLimits(b.budget).length > 0);
    checked.push({ row, budgets: periodic });
    for (const b of periodic) {
      if (scopes.has(b.key)) continue;
      const id_ = b.key.slice(b.key.indexOf(':') + 1);
      const timezone = b.scope === 'schedule' ? (row.schedule_timezone ?? 'UTC') : 'UTC';
      scopes.set(b.key, { key: b.key, scope: b.scope, id: id_, timezone });
    }
  }
  let spends = new Map<string, ScopeSpend>();
  if (scopes.size > 0) {
    await lockBudgets(
      tx,
      [...scopes.keys()].map((key) => `${db.schema}:budget:${key}`),
    );
    const spendRows: SpendRow[] = await budgetSpends(tx, [...scopes.values()], options.now);
    spends = scopeSpend([...scopes.keys()], spendRows, options.pricing);
  }
  const pauses: Array<{ scheduleId: string; note: string }> = [];
  const parks: Array<{ id: string; prompt: string; until: Date }> = [];
  for (const { row, budgets } of checked) {
    const approved = row.approval?.resolved === true && row.approval.approved === true;
    let reached: { budget: ScopedBudget; text: string } | undefined;
    let hold = false;
    if (!approved) {
      for (const b of budgets) {
        const spend = spends.get(b.key)!;
        for (const limit of periodLimits(b.budget)) {
          const spent = spend.spent(limit);
          if (spent >= limit.limit) {
            reached = { budget: b, text: describeLimit(limit, spent) };
            break;
          }
          if (spent + spend.reserved(limit, b.budget) >= limit.limit) hold = true;
        }
        if (reached) break;
      }
    }
    if (reached) {
      const { budget: b, text } = reached;
      const what = `the ${scopeWords[b.scope]} "${b.name}" has spent ${text}`;
      if (b.budget.on_exceed === 'ask') {
        parks.push({
          id: row.id,
          prompt: `Budget reached: ${what}. Approve to start this run anyway; reject to skip it.`,
          until: new Date(options.now.getTime() + defaultApprovalTimeoutMs),
        });
        continue;
      }
      if (b.budget.on_exceed === 'pause' && row.schedule_id) {
        pauses.push({
          scheduleId: row.schedule_id,
          note: `paused automatically: budget reached: ${what} (on_exceed: pause)`,
        });
      }
      decision.endings.push({
        id: row.id,
        status: 'skipped',
        errorKind: 'budget',
        error: `skipped: budget reached: ${what} (on_exceed: ${b.budget.on_exceed})`,
      });
      continue;
    }
    if (hold) {
      decision.held.push(row.id);
      continue;
    }
    decision.start.push(row.id);
    for (const b of budgets) spends.get(b.key)!.admit();
  }
  // Runs without budgets (or none found) start as they were.
  for (const id of runIds) if (!rows.has(id)) decision.start.push(id);
  // Admitted, ended or parked runs are no longer held: their mark goes.
  await markBudgetHolds(tx, decision.held, [...decision.start, ...decision.endings.map((e) => e.id)]);
  decision.parked = await parkOnBudget(tx, db, parks, options.now);
  decision.paused = await pauseWithEvents(tx, pauses, options.now);
  return decision;
}

/** Pauses the schedules, records a `paused` schedule event each and cancels their runs created ahead. */
async function pauseWithEvents(
  tx: Queryable,
  pauses: ReadonlyArray<{ scheduleId: string; note: string }>,
  now: Date,
): Promise<string[]> {
  const unique = [...new Map(pauses.map((p) => [p.scheduleId, p])).values()];
  const paused = await pauseForBudget(tx, unique, now);
  if (paused.length === 0) return [];
  const notes = new Map(unique.map((p) => [p.scheduleId, p.note]));
  await appendScheduleEvents(
    tx,
    paused.map((id) => ({
      scheduleId: id,
      kind: 'paused',
      at: now,
      data: { by: null, automatic: true, budget: true, note: notes.get(id) },
    })),
  );
  await cancelRunsAhead(tx, paused, now, 'the schedule was paused: its budget was reached');
  return paused;
}
