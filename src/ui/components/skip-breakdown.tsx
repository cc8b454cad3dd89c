import type { ScheduleStats } from '../../sdk/index.ts';

const labels: Record<string, string> = {
  precheck: 'precheck said no',
  budget: 'budget spent',
  concurrency: 'concurrency key busy',
  overlap: 'still running (overlap)',
  missed: 'missed',
  excluded: 'excluded date',
  capacity: 'no free slot',
  config: 'could not start',
  paused: 'paused',
};

/** Occurrences in the stats window that produced no start, by reason (docs/gates.md); nothing when none. */
export function SkipBreakdown({ stats }: { stats: ScheduleStats | undefined }) {
  const reasons = Object.entries(stats?.skipped_by_reason ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) return null;
  return (
    <p className="muted small" aria-label="Skipped occurrences by reason">
      Skipped:{' '}
      {reasons.map(([reason, n], i) => (
        <span key={reason}>
          {i > 0 && ' · '}
          <span className="tabular">{n}</span> {labels[reason] ?? reason}
        </span>
      ))}
    </p>
  );
}
