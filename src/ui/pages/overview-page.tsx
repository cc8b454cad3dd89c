import { runsApi, schedulesApi } from '../api/endpoints.ts';
import { runStatuses } from '../lib/run-kinds.ts';
import { useCatalog } from '../components/catalog.tsx';
import { StackedBars } from '../components/charts.tsx';
import { Countdown } from '../components/countdown.tsx';
import { RunsTable } from '../components/runs-table.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { AlertBadge, StatusBadge } from '../components/status-badge.tsx';
import { useNow } from '../hooks/use-now.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { href } from '../hooks/use-route.ts';
import { formatRelative, viewerZone } from '../lib/format.ts';
import { outcomeBars } from '../lib/run-buckets.ts';
import { alertThreshold } from '../lib/schedule-view.ts';

const day = 86_400_000;

/** The state of everything at a glance: last 24 hours by status, what is failing, what is next. */
export function OverviewPage() {
  const now = useNow();
  const { describe } = useCatalog();
  const { canWrite } = useSession();
  // Counts and short lists come from the server: they hold however many schedules and runs there are.
  const totals = usePoll(
    async (signal) => {
      const [all, active] = await Promise.all([
        schedulesApi.list({ limit: 1 }, signal),
        schedulesApi.list({ status: 'active', limit: 1 }, signal),
      ]);
      return { all: all.total, active: active.total };
    },
    [],
    5000,
  );
  const failingNow = usePoll(
    (signal) => schedulesApi.list({ failing: 'true', sort: '-consecutive_failures', limit: 10 }, signal),
    [],
    5000,
  );
  const next = usePoll(
    (signal) => schedulesApi.list({ status: 'active', sort: 'next_run_at', limit: 8 }, signal),
    [],
    5000,
  );
  const statusCounts = usePoll(
    async (signal) => {
      const to = new Date();
      const range = { from: new Date(to.getTime() - day).toISOString(), to: to.toISOString(), limit: 1 };
      const totalsByStatus = await Promise.all(
        [undefined, ...runStatuses].map((status) => runsApi.list({ ...range, status }, signal)),
      );
      return new Map(totalsByStatus.map((page, index) => [index === 0 ? 'all' : runStatuses[index - 1]!, page.total]));
    },
    [],
    5000,
  );
  // Runs created in the last 24 hours, paged through up to the cap (up to five requests of 1,000
  // runs): read once the header's totals and the short lists are in, so they do not wait behind it.
  const listsIn = Boolean(totals.data && next.data);
  const recent = usePoll(
    (signal) => {
      if (!listsIn) return Promise.resolve(null);
      const to = new Date();
      return runsApi.window(new Date(to.getTime() - day), to, undefined, signal);
    },
    [listsIn],
    5000,
  );
  const runs = recent.data?.runs ?? [];
  const counts = statusCounts.data ?? new Map<string, number>();
  const schedules = failingNow.data && next.data ? true : undefined;
  const failing = failingNow.data?.data ?? [];
  const upcoming = (next.data?.data ?? []).filter((s) => s.next_run_at);
  const failedRecently = runs.filter((run) => ['error', 'timeout'].includes(run.status)).slice(0, 5);
  const total = counts.get('all') ?? recent.data?.total ?? runs.length;
  const error = totals.error ?? failingNow.error ?? next.error;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted">
            {totals.data
              ? `${totals.data.active.toLocaleString('en-US')} active schedules of ${totals.data.all.toLocaleString('en-US')}`
              : ' '}
          </p>
        </div>
        {canWrite && (
          <a className="button primary" href={href('/schedules/new')}>
            + New schedule
          </a>
        )}
      </header>
      <ErrorBanner error={error ?? recent.error} />

      <section className="card" aria-labelledby="last-24h">
        <header className="card-head">
          <h2 id="last-24h">Last 24 hours</h2>
          <a className="small" href={href('/runs?range=24h')}>
            All runs →
          </a>
        </header>
        <div className="status-counts">
          <a className="count-tile" href={href('/runs?range=24h')}>
            <span className="count">{total}</span>
            <span className="muted small">runs</span>
          </a>
          {(['success', 'error', 'timeout', 'running', 'pending', 'skipped', 'cancelled'] as const).map((status) => (
            <a
              key={status}
              className={`count-tile tile-${status}`}
              href={href(`/runs?range=24h&status=${status}`)}
              aria-label={`${counts.get(status) ?? 0} ${status}`}
            >
              <span className="count">{counts.get(status) ?? 0}</span>
              <StatusBadge status={status} />
            </a>
          ))}
        </div>
        {recent.data?.capped && (
          <p className="muted small" role="note">
            The chart covers the newest {runs.length.toLocaleString('en-US')} of {total.toLocaleString('en-US')} runs.
          </p>
        )}
        {recent.data ? (
          <StackedBars
            bars={outcomeBars(runs, now, day, 24)}
            title="Runs per hour over the last 24 hours by outcome"
            height={90}
            empty="No runs in the last 24 hours."
          />
        ) : (
          <Loading />
        )}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="failing-now">
          <h2 id="failing-now">Failing now</h2>
          {!schedules && <Loading />}
          {schedules && failing.length === 0 && <p className="ok-text">✓ No schedule is failing.</p>}
          <ul className="list">
            {failing.map((s) => (
              <li key={s.id}>
                <a href={href(`/schedules/${s.id}`)} className="row-title">
                  {s.name}
                </a>{' '}
                <AlertBadge failures={s.consecutive_failures ?? 0} threshold={alertThreshold(s)} />
                <div className="muted small">
                  last run {formatRelative(s.last_run_at, now)} · <StatusBadge status={s.last_run_status} />
                </div>
              </li>
            ))}
          </ul>
          {failedRecently.length > 0 && (
            <>
              <h3>Recent failures</h3>
              <RunsTable runs={failedRecently} />
            </>
          )}
        </section>
        <section className="card" aria-labelledby="coming-up">
          <header className="card-head">
            <h2 id="coming-up">Coming up</h2>
            <a className="small" href={href('/schedules?sort=next')}>
              All schedules →
            </a>
          </header>
          {schedules && upcoming.length === 0 && (
            <Empty title="Nothing scheduled">
              {canWrite && <a href={href('/schedules/new')}>Create a schedule</a>}
            </Empty>
          )}
          <ul className="list upcoming">
            {upcoming.map((s) => (
              <li key={s.id}>
                <div>
                  <a href={href(`/schedules/${s.id}`)} className="row-title">
                    {s.name}
                  </a>
                  <div className="muted small">{describe(s)}</div>
                </div>
                <Countdown at={s.next_run_at} zone={viewerZone} now={now} />
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
