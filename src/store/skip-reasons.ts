/**
 * Why an occurrence produced no start (docs/gates.md, "Every occurrence accounted for"). A run
 * that ended without its agent being called has one of these reasons; a run that was called
 * (whatever its outcome) has none. `overlap` is a run the overlap policy skipped (recorded
 * `skipped` without a failure kind); `paused` a run created ahead of its time and cancelled when
 * its schedule was paused. Occurrences that fall while a schedule is paused are never created (a
 * resumed schedule fires from now on), so they are not occurrences and are not counted.
 */
export const skipReasons = [
  'precheck',
  'budget',
  'concurrency',
  'overlap',
  'missed',
  'excluded',
  'capacity',
  'config',
  'paused',
] as const;
/** One of {@link skipReasons}, or the failure kind of another skipped run. */
export type SkipReason = (typeof skipReasons)[number];

/** How the error of a run cancelled because its schedule was paused begins (by hand or after failures). */
export const pausedRunError = 'the schedule was paused';

const kindsWithoutStart: ReadonlySet<string> = new Set([
  'precheck',
  'budget',
  'concurrency',
  'missed',
  'excluded',
  'capacity',
  'config',
]);

/** The skip reason of a finished run, or null when it started (its agent was called). */
export function skipReasonOf(run: {
  status: string;
  error_kind: string | null;
  error: string | null;
}): SkipReason | null {
  if (run.status === 'cancelled' && run.error?.startsWith(pausedRunError)) return 'paused';
  if (run.error_kind !== null && kindsWithoutStart.has(run.error_kind)) return run.error_kind as SkipReason;
  if (run.status === 'skipped') return (run.error_kind as SkipReason | null) ?? 'overlap';
  return null;
}

/** The same as {@link skipReasonOf} in SQL over a `runs` row aliased `r` (null: it started, or has not finished). */
export const skipReasonSql = `CASE
    WHEN r.status IN ('pending', 'running', 'waiting') THEN NULL
    WHEN r.status = 'cancelled' AND r.error LIKE '${pausedRunError}%' THEN 'paused'
    WHEN r.error_kind IN (${[...kindsWithoutStart].map((kind) => `'${kind}'`).join(', ')}) THEN r.error_kind
    WHEN r.status = 'skipped' THEN coalesce(r.error_kind, 'overlap')
  END`;
