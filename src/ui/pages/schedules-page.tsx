import { schedulesApi } from '../api/endpoints.ts';
import { useCatalog } from '../components/catalog.tsx';
import { Countdown } from '../components/countdown.tsx';
import { Pager } from '../components/pager.tsx';
import { ScheduleActions } from '../components/schedule-actions.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { AlertBadge, EnabledBadge, StatusBadge } from '../components/status-badge.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { useNow } from '../hooks/use-now.ts';
import { useKept, usePoll } from '../hooks/use-poll.ts';
import { useScheduleStats } from '../hooks/use-schedule-stats.ts';
import { href, setQuery, type Route } from '../hooks/use-route.ts';
import { countOf, formatPercent, formatRelative, viewerZone } from '../lib/format.ts';
import { alertThreshold, expressionOf, isFailing, isPaused, successRate } from '../lib/schedule-view.ts';

/** The list's orders, as the API's `sort` (the server sorts the whole list, then pages it). */
const sorts: Record<string, { sort: string; label: string }> = {
  next: { sort: 'next_run_at', label: 'Sort: next run' },
  name: { sort: 'name', label: 'Sort: name' },
  last: { sort: '-last_run_at', label: 'Sort: last run' },
  failures: { sort: '-consecutive_failures', label: 'Sort: failures' },
  newest: { sort: '-created_at', label: 'Sort: newest' },
};
const pageSize = 50;

/** The filters of the page as the API's query (`state` failing is `failing=true`). */
function listQuery(q: string, state: string, assistant: string): Record<string, string | undefined> {
  return {
    q: q.trim() || undefined,
    status: state === 'active' || state === 'paused' ? state : undefined,
    failing: state === 'failing' ? 'true' : undefined,
    assistant_id: assistant || undefined,
  };
}

/**
 * Every schedule, a page at a time: the server searches (name or cron), filters, sorts and counts,
 * so the totals are true however many schedules there are.
 */
export function SchedulesPage({ route }: { route: Route }) {
  const { assistants, assistantName, workflowName, describe } = useCatalog();
  const { canWrite } = useSession();
  const now = useNow();
  const q = route.params.get('q') ?? '';
  const state = route.params.get('state') ?? 'all';
  const assistant = route.params.get('assistant') ?? '';
  const sortKey = route.params.get('sort') ?? 'next';
  const sort = sorts[sortKey] ?? sorts.next!;
  const window = route.params.get('window') ?? '24h';
  const offset = Number(route.params.get('offset') ?? 0) || 0;

  const page = usePoll(
    (signal) =>
      schedulesApi.list({ ...listQuery(q, state, assistant), sort: sort.sort, limit: pageSize, offset }, signal),
    [q, state, assistant, sort.sort, offset],
    3000,
  );
  // The header's counts, whatever the filters: one count each (`limit=1` reads the total only).
  const counts = usePoll(
    async (signal) => {
      const [all, active, failing] = await Promise.all([
        schedulesApi.list({ limit: 1 }, signal),
        schedulesApi.list({ status: 'active', limit: 1 }, signal),
        schedulesApi.list({ failing: 'true', limit: 1 }, signal),
      ]);
      return { all: all.total, active: active.total, failing: failing.total };
    },
    [],
    5000,
  );
  const shownPage = useKept(page.data);
  const schedules = shownPage?.data;
  const error = page.error;
  const stats = useScheduleStats(
    (schedules ?? []).map((s) => s.id),
    window,
  );
  const sorted = schedules ?? [];
  const filtered = Boolean(q.trim() || state !== 'all' || assistant);
  const setFilter = (values: Record<string, string | undefined>) => setQuery({ ...values, offset: undefined });

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Schedules</h1>
          <p className="muted" data-testid="schedule-counts">
            {counts.data
              ? `${countOf(counts.data.all, 'schedule')} · ${counts.data.active.toLocaleString('en-US')} active`
              : ' '}
            {(counts.data?.failing ?? 0) > 0 && (
              <span className="alert-text"> · {counts.data!.failing.toLocaleString('en-US')} failing</span>
            )}
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
          placeholder="Search name or cron…"
          aria-label="Search schedules"
          value={q}
          onChange={(event) => setFilter({ q: event.target.value })}
        />
        <select
          aria-label="Filter by state"
          value={state}
          onChange={(event) => setFilter({ state: event.target.value === 'all' ? undefined : event.target.value })}
        >
          <option value="all">All states</option>
          <option value="active">Active</option>
          <option value="paused">Paused</option>
          <option value="failing">Failing</option>
        </select>
        <select
          aria-label="Filter by assistant"
          value={assistant}
          onChange={(event) => setFilter({ assistant: event.target.value })}
        >
          <option value="">All assistants</option>
          {(assistants ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <select aria-label="Sort by" value={sortKey} onChange={(event) => setFilter({ sort: event.target.value })}>
          {Object.entries(sorts).map(([key, { label }]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
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
      {schedules && shownPage?.total === 0 && !filtered && offset === 0 && (
        <Empty title="No schedules yet">
          <p>A schedule runs an assistant on a cron expression, at an instant, or every few minutes.</p>
          {canWrite && (
            <a className="button primary" href={href('/schedules/new')}>
              Create the first schedule
            </a>
          )}
        </Empty>
      )}
      {schedules && sorted.length === 0 && (filtered || offset > 0) && (
        <Empty title="No schedule matches these filters" />
      )}
      {shownPage && filtered && (
        <p className="muted small" data-testid="schedule-matches">
          {countOf(shownPage.total, 'schedule')} match
        </p>
      )}
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
                        <Countdown at={s.next_run_at} zone={viewerZone} now={now} />
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
      {shownPage && (
        <Pager
          offset={offset}
          limit={pageSize}
          total={shownPage.total}
          labels={['← Previous', 'Next →']}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
    </div>
  );
}
