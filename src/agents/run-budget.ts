import { RunFailure } from '../runs/run-failure.ts';
import { tokensOfUsage } from '../runs/budget.ts';
import type { RunResult } from './runtime.ts';

/**
 * `tokens_per_run` (docs/gates.md "Budgets"), checked after each model call of an llm tool loop
 * and after each call of an agent that reports usage: once the run's tokens reach the limit, the
 * run ends `error` (`budget`, not retried) with its spend in the error, and its usage is recorded
 * (it counts toward the day and month budgets).
 */
export function checkTokensPerRun(limit: number | undefined, usage: RunResult['usage']): void {
  if (limit === undefined) return;
  const spent = tokensOfUsage(usage);
  if (spent < limit) return;
  throw new RunFailure(
    'budget',
    `the run spent ${spent} tokens, reaching its budget of ${limit} tokens per run (tokens_per_run); no further model call was made`,
    { retryable: false, details: { spent, limit, budget: 'tokens_per_run' }, ...(usage && { usage }) },
  );
}
