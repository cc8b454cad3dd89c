import type { Queryable } from '../store/database.ts';
import { listScheduleUsageRows } from '../store/schedule-usage-rows.ts';
import { costOf, type Pricing } from './pricing.ts';
import { scheduleBudgets, type BudgetUsage } from './budget-usage.ts';

/** One day of a schedule's token usage (days in the schedule's time zone). */
export interface UsageDay {
  day: string;
  /** Runs that recorded usage. */
  runs: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens: number;
  /** Money by the price table; null when no price table is configured or nothing was priced. */
  cost: number | null;
  /** Tokens of models the price table does not name (not in `cost`). */
  unpriced_tokens: number;
}

export interface ScheduleUsage {
  schedule_id: string;
  timezone: string;
  since: string;
  days: UsageDay[];
  total: Omit<UsageDay, 'day'>;
  /** Whether a price table is configured (KAIROS_PRICING). */
  priced: boolean;
  /** Spend against each day and month budget that applies to the schedule's runs (docs/gates.md). */
  budgets: BudgetUsage[];
}

/**
 * Token usage of a schedule per day over the last `days` days (the schedule's zone), with money
 * by the price table. One query; days without usage are left out.
 */
export async function scheduleUsage(
  db: Queryable,
  schedule: { id: string; timezone: string },
  options: { now: number; days: number; pricing: Pricing },
): Promise<ScheduleUsage> {
  const since = new Date(options.now - options.days * 86_400_000);
  const rows = await listScheduleUsageRows(db, schedule, since);
  const priced = Object.keys(options.pricing).length > 0;
  const byDay = new Map<string, UsageDay>();
  const total: Omit<UsageDay, 'day'> = {
    runs: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    tokens: 0,
    cost: null,
    unpriced_tokens: 0,
  };
  for (const row of rows) {
    const day = byDay.get(row.day) ?? {
      day: row.day,
      runs: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      tokens: 0,
      cost: null,
      unpriced_tokens: 0,
    };
    const prompt = Number(row.prompt_tokens);
    const completion = Number(row.completion_tokens);
    const tokens = Number(row.tokens);
    const cost = priced && prompt + completion > 0 ? costOf(options.pricing, row.model, prompt, completion) : undefined;
    for (const sums of [day, total]) {
      sums.runs += row.runs;
      sums.prompt_tokens += prompt;
      sums.completion_tokens += completion;
      sums.tokens += tokens;
      // Tokens without a price, or reported only as a total (no input/output split to price).
      if (cost !== undefined) {
        sums.cost = (sums.cost ?? 0) + cost;
        sums.unpriced_tokens += Math.max(0, tokens - prompt - completion);
      } else if (priced) sums.unpriced_tokens += tokens;
    }
    byDay.set(row.day, day);
  }
  return {
    schedule_id: schedule.id,
    timezone: schedule.timezone,
    since: since.toISOString(),
    days: [...byDay.values()],
    total,
    priced,
    budgets: await scheduleBudgets(db, schedule, options),
  };
}
