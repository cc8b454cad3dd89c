import { budgetOf, periodLimits, type BudgetAction, type BudgetScope, type PeriodLimit } from '../runs/budget.ts';
import { budgetSpends, budgetsOfSchedule, type BudgetScopeRef } from '../store/budgets.ts';
import type { Queryable } from '../store/database.ts';
import { scopeSpend } from './budget-spend.ts';
import type { Pricing } from './pricing.ts';

/** Spend against one day or month limit of a budget that applies to a schedule's runs. */
export interface BudgetUsage {
  scope: BudgetScope;
  period: PeriodLimit['period'];
  limit: number;
  spent: number;
  unit: PeriodLimit['unit'];
  key: PeriodLimit['key'];
  on_exceed: BudgetAction;
}

/**
 * The day and month budgets that apply to a schedule's runs (its own, in its zone; its
 * assistant's and its owner's, in UTC) with what each has spent so far: the numbers the budget
 * gate compares (src/gates/budget-gate.ts), without the reservations of runs in flight.
 */
export async function scheduleBudgets(
  db: Queryable,
  schedule: { id: string; timezone: string },
  options: { now: number; pricing: Pricing },
): Promise<BudgetUsage[]> {
  const row = await budgetsOfSchedule(db, schedule.id);
  if (!row) return [];
  const found: Array<{ ref: BudgetScopeRef; limits: PeriodLimit[]; onExceed: BudgetAction }> = [];
  const add = (scope: BudgetScope, id: string | null, timezone: string, value: unknown) => {
    const budget = budgetOf(value);
    const limits = budget ? periodLimits(budget) : [];
    if (id && budget && limits.length > 0)
      found.push({ ref: { key: `${scope}:${id}`, scope, id, timezone }, limits, onExceed: budget.on_exceed });
  };
  add('schedule', schedule.id, schedule.timezone, row.schedule_budget);
  add('assistant', row.assistant_id, 'UTC', row.assistant_budget);
  add('user', row.owner_id, 'UTC', row.user_budget);
  if (found.length === 0) return [];
  const spends = scopeSpend(
    found.map((f) => f.ref.key),
    await budgetSpends(
      db,
      found.map((f) => f.ref),
      new Date(options.now),
    ),
    options.pricing,
  );
  return found.flatMap(({ ref, limits, onExceed }) =>
    limits.map((limit) => ({
      scope: ref.scope,
      period: limit.period,
      limit: limit.limit,
      spent: spends.get(ref.key)!.spent(limit),
      unit: limit.unit,
      key: limit.key,
      on_exceed: onExceed,
    })),
  );
}
