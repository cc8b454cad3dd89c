import type { Run, RunUsage } from '../../sdk/index.ts';
import { useNow } from '../hooks/use-now.ts';
import {
  between,
  formatCount,
  formatDuration,
  formatInstant,
  formatRelative,
  formatShort,
  shortId,
  viewerZone,
  zoneAbbreviation,
} from '../lib/format.ts';
import { useCatalog } from './catalog.tsx';
import { runError, runReason, useOpenRun } from './run-drawer.tsx';
import { StatusBadge, failureLabels, heldLabel } from './status-badge.tsx';

/**
 * Runs as a table: scheduled time, actual start, lag, duration, status, trigger, attempt and the
 * failure reason. A row opens the run drawer (click, Enter or Space).
 */
export function RunsTable({ runs, showSchedule = true }: { runs: Run[]; showSchedule?: boolean }) {
  const openRun = useOpenRun();
  const { scheduleName, assistantName, workflowName } = useCatalog();
  const now = useNow(5000);
  // Every time in the table is in the viewer's zone, named once in the headers.
  const zone = zoneAbbreviation(new Date(now).toISOString(), viewerZone);
  return (
    <div className="table-wrap">
      <table className="table runs-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            {showSchedule && <th scope="col">Schedule / assistant</th>}
            <th scope="col">Scheduled ({zone})</th>
            <th scope="col">Started ({zone})</th>
            <th scope="col" className="num">
              Lag
            </th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">Trigger</th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Attempt
            </th>
            <th scope="col">Failure</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const lag = between(run.scheduled_for ?? run.not_before, run.started_at);
            const reason = runReason(run);
            const message = runError(run);
            return (
              <tr
                key={run.id}
                className="clickable"
                tabIndex={0}
                data-run={run.id}
                data-status={run.status}
                aria-label={`Run ${shortId(run.id)}, ${run.status}, open details`}
                onClick={() => openRun(run.id)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    openRun(run.id);
                  }
                }}
              >
                <td data-label="Status">
                  <StatusBadge status={run.status} />
                  {run.status === 'pending' && run.held_reason && (
                    <div
                      className="muted small"
                      data-held={run.held_reason}
                      title="Why this pending run waits (docs/gates.md)"
                    >
                      {heldLabel(run.held_reason)}
                    </div>
                  )}
                </td>
                {showSchedule && (
                  <td data-label="Schedule">
                    <div>
                      {scheduleName(run.schedule_id) ??
                        (run.schedule_id ? (
                          shortId(run.schedule_id)
                        ) : run.schedule_name ? (
                          <span title="this schedule was deleted">{run.schedule_name} (deleted)</span>
                        ) : (
                          <span className="muted">{run.trigger ?? 'manual'}</span>
                        ))}
                    </div>
                    <div className="muted small">
                      {run.workflow_id
                        ? `workflow ${workflowName(run.workflow_id) ?? shortId(run.workflow_id)}`
                        : (assistantName(run.assistant_id) ?? shortId(run.assistant_id))}
                    </div>
                  </td>
                )}
                <td data-label="Scheduled">
                  <span className="tabular nowrap" title={formatInstant(run.scheduled_for ?? run.created_at)}>
                    {formatShort(run.scheduled_for ?? run.created_at)}
                  </span>
                  <div className="muted small">{formatRelative(run.scheduled_for ?? run.created_at, now)}</div>
                </td>
                <td data-label="Started" className="tabular nowrap" title={formatInstant(run.started_at)}>
                  {formatShort(run.started_at)}
                </td>
                <td data-label="Lag" className="num tabular">
                  {lag === null ? '—' : formatDuration(lag)}
                </td>
                <td data-label="Duration" className="num tabular">
                  {formatDuration(run.duration_ms ?? between(run.started_at, run.finished_at))}
                </td>
                <td data-label="Trigger">
                  <span className="tag">{run.trigger ?? '—'}</span>
                </td>
                <td
                  data-label="Tokens"
                  className="num tabular"
                  title={(run.usage as RunUsage | null)?.model ?? undefined}
                >
                  {tokensOf(run) === null ? '—' : formatCount(tokensOf(run)!)}
                </td>
                <td data-label="Attempt" className="num">
                  {run.attempt ?? 1}
                </td>
                <td data-label="Failure" className="failure-cell">
                  {reason && <span className="tag bad">{failureLabels[reason] ?? reason}</span>}
                  {message && (
                    <span className="muted small truncate" title={message}>
                      {message}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A run's total tokens: the reported total, or prompt + completion; null when it reported none. */
function tokensOf(run: Run): number | null {
  const usage = run.usage as RunUsage | null;
  if (!usage) return null;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  if (typeof usage.prompt_tokens === 'number' || typeof usage.completion_tokens === 'number')
    return (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
  return null;
}
