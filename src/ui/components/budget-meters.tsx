import type { BudgetSpend } from '../../sdk/index.ts';
import { formatCost, formatCount } from '../lib/format.ts';
import { Meter } from './charts.tsx';

const scopeLabels: Record<BudgetSpend['scope'], string> = {
  schedule: 'This schedule',
  assistant: 'Its assistant',
  user: 'Its owner',
};

const amount = (b: BudgetSpend, n: number) => (b.unit === 'usd' ? formatCost(n) : `${formatCount(n)} tokens`);

/**
 * Spend against each day and month budget that applies to the schedule's runs (docs/gates.md
 * "Budgets"): a meter each, red once the limit is reached (the next run is then stopped, paused
 * or asked about, as `on_exceed` says).
 */
export function BudgetMeters({ budgets }: { budgets: readonly BudgetSpend[] }) {
  if (budgets.length === 0) return null;
  return (
    <ul className="reasons budget-meters" aria-label="Budgets">
      {budgets.map((b) => {
        const reached = b.spent >= b.limit;
        return (
          <li key={`${b.scope}:${b.key}`} data-budget={`${b.scope}:${b.key}`}>
            <span>
              {scopeLabels[b.scope]} · per {b.period}
            </span>
            <Meter
              value={b.limit > 0 ? b.spent / b.limit : 1}
              label={`${scopeLabels[b.scope]}: ${amount(b, b.spent)} of ${amount(b, b.limit)} per ${b.period}`}
              className={reached ? 'fill-error' : 'fill-success'}
            />
            <span className="small tabular" title={`on_exceed: ${b.on_exceed}`}>
              {amount(b, b.spent)} / {amount(b, b.limit)}
              {reached ? ` · reached (${b.on_exceed})` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
