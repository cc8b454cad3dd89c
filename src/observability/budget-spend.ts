import { costOf, type Pricing } from './pricing.ts';
import type { Budget, PeriodLimit } from '../runs/budget.ts';
import type { SpendRow } from '../store/budgets.ts';

/** What one budget's scope has spent, and what its runs in flight are expected to spend. */
export interface ScopeSpend {
  /** Tokens or dollars spent in the limit's period (dollars by the price table; unpriced usage counts 0). */
  spent(limit: PeriodLimit): number;
  /** What the runs in flight reserve against the limit (Infinity: unknown, so everything left). */
  reserved(limit: PeriodLimit, budget: Budget): number;
  /** Counts one more run in flight (admitted by this claim). */
  admit(): void;
}

interface Sums {
  dayTokens: number;
  dayUsd: number;
  monthUsd: number;
  recentTokens: number[];
  recentUsd: number[];
  running: number;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

/** The spend rows of budgetSpends (src/store/budgets.ts), summed per scope key. */
export function scopeSpend(
  keys: readonly string[],
  rows: readonly SpendRow[],
  pricing: Pricing,
): Map<string, ScopeSpend> {
  const sums = new Map<string, Sums>();
  const of = (key: string) => {
    let s = sums.get(key);
    if (!s) {
      s = { dayTokens: 0, dayUsd: 0, monthUsd: 0, recentTokens: [], recentUsd: [], running: 0 };
      sums.set(key, s);
    }
    return s;
  };
  for (const row of rows) {
    const s = of(row.key);
    const prompt = Number(row.prompt_tokens);
    const completion = Number(row.completion_tokens);
    const tokens = Number(row.tokens);
    const usd = costOf(pricing, row.model, prompt, completion) ?? 0;
    if (row.part === 'day') {
      s.dayTokens += tokens;
      s.dayUsd += usd;
    } else if (row.part === 'month') s.monthUsd += usd;
    else if (row.part === 'recent') {
      s.recentTokens.push(tokens);
      s.recentUsd.push(usd);
    } else s.running += tokens;
  }
  return new Map(
    keys.map((key) => {
      const s = of(key);
      const spend: ScopeSpend = {
        spent: (limit) => (limit.unit === 'tokens' ? s.dayTokens : limit.period === 'day' ? s.dayUsd : s.monthUsd),
        reserved: (limit, budget) => {
          if (s.running === 0) return 0;
          const each = limit.unit === 'tokens' ? (budget.tokens_per_run ?? mean(s.recentTokens)) : mean(s.recentUsd);
          return each === null ? Infinity : each * s.running;
        },
        admit: () => {
          s.running++;
        },
      };
      return [key, spend];
    }),
  );
}
