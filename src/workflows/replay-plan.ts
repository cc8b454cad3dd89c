import type { RunStepRow } from '../store/run-steps.ts';

/** What a replay reuses: the keys of the replayed run's nodes to copy; or why `from_step` is unknown. */
export type ReplayPlan = { reuse: string[] } | { unknown: string; valid: string[] };

/** True when `row` encloses the node keyed `key` (`steps[1]` encloses `steps[1]@2.steps[0]`). */
function encloses(row: Pick<RunStepRow, 'key'>, key: string): boolean {
  return key.startsWith(`${row.key}.`) || key.startsWith(`${row.key}@`);
}

/**
 * Which recorded nodes a replay from `fromStep` (a node's key, or its name: the first node that
 * ran with it) reuses: every node that started before it in the replayed run and finished
 * (`success` or `skipped`), except the containers around it and any container with a node inside
 * that is not reused (it runs again, so its own record must be new). Without `fromStep`, none.
 * `rows` are in execution order (listRunSteps).
 *
 * @example
 * replayPlan(rows, 'summarise'); // { reuse: ['steps[0]', 'steps[1]'] }
 */
export function replayPlan(rows: readonly RunStepRow[], fromStep: string | undefined): ReplayPlan {
  if (fromStep === undefined) return { reuse: [] };
  const byKey = rows.findIndex((row) => row.key === fromStep);
  const at = byKey >= 0 ? byKey : rows.findIndex((row) => row.name === fromStep);
  if (at < 0) return { unknown: fromStep, valid: [...new Set(rows.map((row) => row.name))] };
  const target = rows[at]!;
  const reuse = new Set(
    rows
      .slice(0, at)
      .filter((row) => (row.status === 'success' || row.status === 'skipped') && !encloses(row, target.key))
      .map((row) => row.key),
  );
  for (const row of rows) {
    if (reuse.has(row.key) && rows.some((inner) => encloses(row, inner.key) && !reuse.has(inner.key)))
      reuse.delete(row.key);
  }
  return { reuse: rows.filter((row) => reuse.has(row.key)).map((row) => row.key) };
}
