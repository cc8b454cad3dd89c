import { useMemo } from 'react';
import type { Schedule, ScheduleStats } from '../../sdk/index.ts';
import { useCatalog } from '../components/catalog.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ScheduleActions } from '../components/schedule-actions.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { AlertBadge, EnabledBadge, StatusBadge } from '../components/status-badge.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { useNow } from '../hooks/use-now.ts';
import { useScheduleStats } from '../hooks/use-schedule-stats.ts';
import { href, setQuery, type Route } from '../hooks/use-route.ts';
import { formatPercent, formatRelative, countOf } from '../lib/format.ts';
import { alertThreshold, expressionOf, isFailing, isPaused, specOf, successRate } from '../lib/schedule-view.ts';

type SortKey = 'name' | 'next' | 'last' | 'rate' | 'failures';

const sorters: Record<SortKey, (a: Schedule, b: Schedule, stats: Map<string, ScheduleStats>) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  next: (a, b) => time(a.next_run_at, Infinity) - time(b.next_run_at, Infinity),
  last: (a, b) => time(b.last_run_at, -Infinity) - time(a.last_run_at, -Infinity),
  rate: (a, b, stats) => (successRate(stats.get(a.id)) ?? 2) - (successRate(stats.get(b.id)) ?? 2),
  failures: (a, b) => (b.consecutive_failures ?? 0) - (a.consecutive_failures ?? 0),
};

function time(iso: string | null | undefined, fallback: number): number {
  return iso ? new Date(iso).getTime() : fallback;
}

export function SchedulesPage({ route }: { route: Route }) {
  const { schedules, assistants, error, assistantName, workflowName, describe } = useCatalog();
  const { canWrite } = useSession();
  const now = useNow();
  const q = route.params.get('q') ?? '';
  const state = route.params.get('state') ?? 'all';
  const assistant = route.params.get('assistant') ?? '';
  const sort = (route.params.get('sort') as SortKey | null) ?? 'next';
  const window = route.params.get('window') ?? '24h';

  const visible = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (schedules ?? []).filter((s) => {
      if (state === 'active' && !s.enabled) return false;
      if (state === 'paused' && !isPaused(s)) return false;
      if (state === 'failing' && !isFailing(s)) return false;
      if (assistant && s.assistant_id !== assistant) return false;
      if (!needle) return true;
      const haystack = [s.name, assistantName(s.assistant_id), describe(s), expressionOf(s)].join(' ').toLowerCase();
      return haystack.includes(needle);
    });
  }, [schedules, q, state, assistant, assistantName, describe]);
  const stats = useScheduleStats(
    visible.map((s) => s.id),
    window,
  );
  const sorted = [...visible].sort((a, b) => sorters[sort](a, b, stats) || a.name.localeCompare(b.name));
  const failing = (schedules ?? []).filter(isFailing).length;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Schedules</h1>
          <p className="muted">
            {schedules
              ? `${countOf(schedules.length, 'schedule')} · ${schedules.filter((s) => s.enabled).length} active`
              : ' '}
            {failing > 0 && <span className="alert-text"> · {failing} failing</span>}
          </p>
        </div>
        {canWrite && (
          <a className="button primary" href={href('/schedules/new')}>
            + New schedule
          </a>
        )}
      </header>

      <div className="toolbar" role="search">
        <input
          type="search"
          className="search"
          placeholder="Search name, assistant, schedule…"
          aria-label="Search schedules"
          value={q}
          onChange={(event) => setQuery({ q: event.target.value })}
        />
        <select
          aria-label="Filter by state"
          value={state}
          onChange={(event) => setQuery({ state: event.target.value === 'all' ? undefined : event.target.value })}
        >
          <option value="all">All states</option>
          <option value="active">Active</option>
          <option value="paused">Paused</option>
          <option value="failing">Failing</option>
        </select>
        <select
          aria-label="Filter by assistant"
          value={assistant}
          onChange={(event) => setQuery({ assistant: event.target.value })}
        >
          <option value="">All assistants</option>
          {(assistants ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <select aria-label="Sort by" value={sort} onChange={(event) => setQuery({ sort: event.target.value })}>
          <option value="next">Sort: next run</option>
          <option value="name">Sort: name</option>
          <option value="last">Sort: last run</option>
          <option value="rate">Sort: success rate</option>
          <option value="failures">Sort: failures</option>
        </select>
        <select
          aria-label="Success rate window"
          value={window}
          onChange={(event) => setQuery({ window: event.target.value })}
        >
          <option value="1h">Rate over 1 h</option>
          <option value="24h">Rate over 24 h</option>
          <option value="7d">Rate over 7 days</option>
          <option value="30d">Rate over 30 days</option>
        </select>
      </div>

      <ErrorBanner error={error} />
      {!schedules && !error && <Loading />}
      {schedules && schedules.length === 0 && (
        <Empty title="No schedules yet">
          <p>A schedule runs an assistant on a cron expression, at an instant, or every few minutes.</p>
          {canWrite && (
            <a className="button primary" href={href('/schedules/new')}>
              Create the first schedule
            </a>
          )}
        </Empty>
      )}
      {schedules && schedules.length > 0 && sorted.length === 0 && <Empty title="No schedule matches these filters" />}
      {sorted.length > 0 && (
        <div className="table-wrap">
          <table className="table schedules-table">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">When</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
                <th scope="col" className="num">
                  Success ({window})
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((s) => {
                const rate = successRate(stats.get(s.id));
                return (
                  <tr
                    key={s.id}
                    data-schedule={s.name}
                    className={isFailing(s) ? 'row-failing' : isPaused(s) ? 'row-paused' : undefined}
                  >
                    <td data-label="Schedule">
                      <a className="row-title" href={href(`/schedules/${s.id}`)}>
                        {s.name}
                      </a>
                      <div className="row-meta">
                        <EnabledBadge enabled={s.enabled} status={s.status} />
                        <AlertBadge failures={s.consecutive_failures ?? 0} threshold={alertThreshold(s)} />
                        <SourceBadge schedule={s} />
                        <span className="muted small">
                          →{' '}
                          {s.workflow_id
                            ? `workflow ${workflowName(s.workflow_id) ?? 'workflow'}`
                            : (assistantName(s.assistant_id) ?? 'assistant')}
                        </span>
                      </div>
                    </td>
                    <td data-label="When">
                      <div className="schedule-words">{describe(s)}</div>
                      <code className="cron">{expressionOf(s)}</code>
                    </td>
                    <td data-label="Last run">
                      <StatusBadge status={s.last_run_status} />
                      <div className="muted small">{s.last_run_at ? formatRelative(s.last_run_at, now) : 'never'}</div>
                    </td>
                    <td data-label="Next run">
                      {s.enabled ? (
                        <Countdown at={s.next_run_at} zone={specOf(s).timezone} now={now} />
                      ) : (
                        <span className="muted">paused</span>
                      )}
                    </td>
                    <td data-label={`Success (${window})`} className="num">
                      <span
                        className={
                          rate === null ? 'muted' : rate < 0.8 ? 'rate bad' : rate < 1 ? 'rate warn' : 'rate good'
                        }
                      >
                        {formatPercent(rate)}
                      </span>
                    </td>
                    <td className="actions-cell">
                      <ScheduleActions schedule={s} compact />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
