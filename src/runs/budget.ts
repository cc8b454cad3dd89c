import { z } from 'zod';

/**
 * A budget (issue 21; docs/gates.md "Budgets"): limits on what a schedule, an assistant or a user
 * spends, and what happens when one is reached. `tokens_per_run` is enforced inside a run; the day
 * and month limits before a run starts (src/gates/budget-gate.ts).
 */
export const budgetScopes = ['schedule', 'assistant', 'user'] as const;
export type BudgetScope = (typeof budgetScopes)[number];

/** What a reached day or month limit does to the run about to start. */
export const budgetActions = ['stop', 'pause', 'ask'] as const;
export type BudgetAction = (typeof budgetActions)[number];

const tokens = (what: string) =>
  z
    .number({ error: `must be a whole number of tokens ${what}, at least 1` })
    .int(`must be a whole number of tokens ${what}, at least 1`)
    .min(1, `must be at least 1 token ${what}`)
    .max(1e12, `must be at most 1000000000000 tokens ${what}`);
const dollars = (what: string) =>
  z
    .number({ error: `must be a positive amount of US dollars ${what}` })
    .positive(`must be a positive amount of US dollars ${what}`)
    .max(1e9, `must be at most 1000000000 US dollars ${what}`);

/** `budget`: at least one limit and `on_exceed`. Strict: an unknown key is refused. */
export const budgetSchema = z
  .strictObject({
    tokens_per_run: tokens('per run').optional(),
    tokens_per_day: tokens('per day').optional(),
    usd_per_day: dollars('per day').optional(),
    usd_per_month: dollars('per month').optional(),
    on_exceed: z.enum(budgetActions, {
      error: 'is required: "stop" (skip the run), "pause" (pause the schedule) or "ask" (wait for an approval)',
    }),
  })
  .refine(
    (b) =>
      b.tokens_per_run !== undefined ||
      b.tokens_per_day !== undefined ||
      b.usd_per_day !== undefined ||
      b.usd_per_month !== undefined,
    { message: 'needs at least one limit: tokens_per_run, tokens_per_day, usd_per_day or usd_per_month' },
  );
export type Budget = z.output<typeof budgetSchema>;

/** A limit checked before a run starts: tokens or dollars over a day or a month. */
export interface PeriodLimit {
  key: 'tokens_per_day' | 'usd_per_day' | 'usd_per_month';
  period: 'day' | 'month';
  unit: 'tokens' | 'usd';
  limit: number;
}

/** The day and month limits of a budget, in a fixed order. */
export function periodLimits(budget: Budget): PeriodLimit[] {
  const out: PeriodLimit[] = [];
  if (budget.tokens_per_day !== undefined)
    out.push({ key: 'tokens_per_day', period: 'day', unit: 'tokens', limit: budget.tokens_per_day });
  if (budget.usd_per_day !== undefined)
    out.push({ key: 'usd_per_day', period: 'day', unit: 'usd', limit: budget.usd_per_day });
  if (budget.usd_per_month !== undefined)
    out.push({ key: 'usd_per_month', period: 'month', unit: 'usd', limit: budget.usd_per_month });
  return out;
}

/** A stored budget (jsonb) back to a Budget; null when absent or not one (never trusted blindly). */
export function budgetOf(value: unknown): Budget | null {
  if (value === null || value === undefined) return null;
  const parsed = budgetSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The smallest `tokens_per_run` of the budgets that apply to a run; null when none sets one. */
export function tokensPerRunOf(budgets: ReadonlyArray<Budget | null>): number | null {
  let least: number | null = null;
  for (const b of budgets)
    if (b?.tokens_per_run !== undefined) least = least === null ? b.tokens_per_run : Math.min(least, b.tokens_per_run);
  return least;
}

/** The tokens a usage counts: its total, else prompt + completion. */
export function tokensOfUsage(
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined,
): number {
  if (!usage) return 0;
  return usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
}
