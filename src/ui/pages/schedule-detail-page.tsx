import { useState } from 'react';
import { schedulesApi } from '../api/endpoints.ts';
import { runStatuses, triggers } from '../lib/run-kinds.ts';
import { BudgetMeters } from '../components/budget-meters.tsx';
import { ChoiceFilter } from '../components/choice-filter.tsx';
import { useCatalog } from '../components/catalog.tsx';
import { LineChart, Meter, StackedBars } from '../components/charts.tsx';
import { Countdown } from '../components/countdown.tsx';
import { JsonView } from '../components/json-view.tsx';
import { Pager } from '../components/pager.tsx';
import { RunsTable } from '../components/runs-table.tsx';
import { ScheduleActions } from '../components/schedule-actions.tsx';
import { ManagedNotice, SourceBadge } from '../components/source-badge.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { AlertBadge, EnabledBadge, StatusBadge, failureLabels } from '../components/status-badge.tsx';
import { useNow } from '../hooks/use-now.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { usePreview } from '../hooks/use-preview.ts';
import { href, navigate } from '../hooks/use-route.ts';
import {
  formatCost,
  formatCount,
  formatDuration,
  formatInstant,
  formatPercent,
  formatRelative,
  viewerZone,
  zoneAbbreviation,
  countOf,
} from '../lib/format.ts';
import { durationPoints, outcomeBars, ratePoints } from '../lib/run-buckets.ts';
import { SkipBreakdown } from '../components/skip-breakdown.tsx';
import { alertThreshold, expressionOf, specOf, statsCounts, statsReasons, successRate } from '../lib/schedule-view.ts';

const windows: Record<string, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const pageSize = 20;

export function ScheduleDetailPage({ scheduleId }: { scheduleId: string }) {
  const now = useNow();
  const { assistantName, describe } = useCatalog();
  const { me } = useSession();
  const [window, setWindow] = useState('24h');
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState('');
  const [trigger, setTrigger] = useState('');
  const schedule = usePoll(() => schedulesApi.get(scheduleId), [scheduleId], 3000);
  const stats = usePoll(() => schedulesApi.stats(scheduleId, window), [scheduleId, window], 5000);
  const usage = usePoll(() => schedulesApi.usage(scheduleId, 30), [scheduleId], 15_000);
  const history = usePoll(
    () => schedulesApi.runs(scheduleId, { limit: pageSize, offset, status, trigger }),
    [scheduleId, offset, status, trigger],
    3000,
  );
  const span = windows[window] ?? 86_400_000;
  // The charts' runs: those created in the window, paged through up to the cap.
  const recent = usePoll(
    (signal) => {
      const to = new Date();
      return schedulesApi.runWindow(scheduleId, new Date(to.getTime() - span), to, signal);
    },
    [scheduleId, span],
    10_000,
  );
  const s = schedule.data;
  const spec = s ? specOf(s) : undefined;
  const upcomingSpec =
    spec && s?.enabled
      ? Object.fromEntries(
          Object.entries({ cron: spec.cron, at: spec.at, every: spec.every, timezone: spec.timezone }).filter(
            ([, v]) => v !== null && v !== undefined,
          ),
        )
      : undefined;
  const upcoming = usePreview(upcomingSpec, 10, 0, { dst: s?.dst ?? null, exclude_dates: s?.exclude_dates ?? [] });

  if (schedule.error && !s)
    return (
      <div className="page">
        <ErrorBanner error={schedule.error} />
      </div>
    );
  if (!s || !spec)
    return (
      <div className="page">
        <Loading />
      </div>
    );

  const st = stats.data;
  const rate = successRate(st);
  const counts = statsCounts(st);
  const reasons = Object.entries(statsReasons(st))
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const reasonTotal = reasons.reduce((sum, [, n]) => sum + n, 0);
  const runs = recent.data?.runs ?? [];
  const p50 = st?.p50_duration_ms;
  const p95 = st?.p95_duration_ms;
  const bucketCount = window === '24h' ? 24 : window === '7d' ? 14 : 30;

  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a href={href('/schedules')}>Schedules</a>
      </nav>
      <header className="page-head">
        <div>
          <h1>
            {s.name} <EnabledBadge enabled={s.enabled} status={s.status} />{' '}
            <AlertBadge failures={s.consecutive_failures ?? 0} threshold={alertThreshold(s)} />{' '}
            <SourceBadge schedule={s} />
          </h1>
          <p className="lead">
            {describe(s)} <code className="cron">{expressionOf(s)}</code>
          </p>
          <p className="muted">
            Runs{' '}
            <a href={href(`/assistants?focus=${s.assistant_id ?? ''}`)}>
              {assistantName(s.assistant_id) ?? 'assistant'}
            </a>
            {s.session_mode === 'persistent' ? ' in a persistent thread' : ''}
            {s.thread_id && (
              <>
                {' · '}
                <a href={href(`/threads/${s.thread_id}`)}>read the thread</a>
              </>
            )}
          </p>
          {s.created_by?.kind === 'agent' && (
            <p className="muted" data-testid="created-by">
              Created by the agent{' '}
              <a href={href(`/assistants?focus=${s.created_by.assistant_id}`)}>
                {assistantName(s.created_by.assistant_id) ?? 'assistant'}
              </a>{' '}
              during <a href={href(`/runs/${s.created_by.run_id}`)}>a run</a>
            </p>
          )}
        </div>
        <ScheduleActions schedule={s} onDeleted={() => navigate('/schedules')} />
      </header>
      <ManagedNotice schedule={s} />

      {s.status === 'paused' && s.paused && (
        <div className="banner paused" role="note" aria-label="Paused">
          <strong>
            Paused {formatRelative(s.paused.at, now)}{' '}
            {s.paused.by === null
              ? 'automatically'
              : s.paused.by === me?.id
                ? 'by you'
                : `by user ${s.paused.by.slice(0, 8)}`}
            <span className="muted small"> · {formatInstant(s.paused.at, spec.timezone)}</span>
          </strong>
          {s.paused.note && <span className="pause-note">{s.paused.note}</span>}
        </div>
      )}

      <div className="stat-grid">
        <div className="stat">
          <div className="stat-label">Next run</div>
          <div className="stat-value">
            {s.enabled ? (
              <Countdown at={s.next_run_at} zone={spec.timezone} now={now} />
            ) : (
              <span className="muted">paused</span>
            )}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Last run</div>
          <div className="stat-value">
            <StatusBadge status={s.last_run_status} />{' '}
            <span className="muted small">{s.last_run_at ? formatRelative(s.last_run_at, now) : 'never'}</span>
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">
            Success rate
            <select
              className="inline-select"
              aria-label="Stats window"
              value={window}
              onChange={(event) => setWindow(event.target.value)}
            >
              <option value="24h">24 h</option>
              <option value="7d">7 days</option>
              <option value="30d">30 days</option>
            </select>
          </div>
          <div className="stat-value big">{formatPercent(rate)}</div>
          {rate !== null && <Meter value={rate} label="Success rate" />}
          <div className="muted small">
            {countOf(
              Object.values(counts).reduce((a, b) => a + (b ?? 0), 0),
              'run',
            )}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Duration p50 / p95</div>
          <div className="stat-value">
            {formatDuration(p50)} <span className="muted">/</span> {formatDuration(p95)}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Consecutive failures</div>
          <div
            className={
              (s.consecutive_failures ?? 0) >= alertThreshold(s) ? 'stat-value big alert-text' : 'stat-value big'
            }
          >
            {s.consecutive_failures ?? 0}
          </div>
          <div className="muted small">alert at {alertThreshold(s)}</div>
        </div>
      </div>

      <div className="grid-2">
        <section className="card">
          <h2>Outcomes over {window}</h2>
          <ErrorBanner error={recent.error} />
          {recent.data?.capped && (
            <p className="muted small" role="note">
              The charts show the newest {runs.length} of {recent.data.total} runs in this window.
            </p>
          )}
          <StackedBars
            bars={outcomeBars(runs, now, span, bucketCount)}
            title={`Runs per bucket over ${window} by outcome`}
          />
          <div className="legend">
            <span className="key fill-success" /> success <span className="key fill-error" /> failed{' '}
            <span className="key fill-skipped" /> skipped
          </div>
          <h3>Success rate over time</h3>
          <LineChart
            points={ratePoints(runs, now, span, bucketCount)}
            title="Success rate over time"
            format={(y) => formatPercent(y)}
            height={80}
          />
        </section>
        <section className="card">
          <h2>Run duration</h2>
          <LineChart points={durationPoints(runs)} title="Run duration over time" format={formatDuration} />
          <h3>Failure reasons</h3>
          {reasons.length === 0 ? (
            <p className="muted small">No failures in this window.</p>
          ) : (
            <ul className="reasons">
              {reasons.map(([reason, n]) => (
                <li key={reason}>
                  <span>{failureLabels[reason] ?? reason}</span>
                  <Meter
                    value={n / reasonTotal}
                    label={`${failureLabels[reason] ?? reason}: ${n}`}
                    className="fill-error"
                  />
                  <span className="tabular">{n}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="card" aria-label="Tokens and cost">
        <header className="card-head">
          <h2>Tokens and cost, last 30 days</h2>
          <div className="muted small">
            {usage.data ? `${formatCount(usage.data.total.tokens)} tokens` : ''}
            {usage.data?.priced ? ` · ${formatCost(usage.data.total.cost)}` : ' · no price table (KAIROS_PRICING)'}
            {s.alert_on_tokens_per_day ? ` · alert above ${formatCount(s.alert_on_tokens_per_day)} a day` : ''}
          </div>
        </header>
        <ErrorBanner error={usage.error} />
        <BudgetMeters budgets={usage.data?.budgets ?? []} />
        {usage.data && usage.data.days.length === 0 ? (
          <p className="muted small">No run of this schedule reported token usage in the last 30 days.</p>
        ) : (
          <>
            <LineChart
              points={(usage.data?.days ?? []).map((d) => ({ x: Date.parse(`${d.day}T12:00:00Z`), y: d.tokens }))}
              title={`Tokens per day (${usage.data?.timezone ?? ''})`}
              format={(y) => formatCount(Math.round(y))}
              height={80}
            />
            <div className="table-wrap">
              <table className="table usage-table">
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" className="num">
                      Runs
                    </th>
                    <th scope="col" className="num">
                      Input
                    </th>
                    <th scope="col" className="num">
                      Output
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...(usage.data?.days ?? [])].reverse().map((d) => (
                    <tr key={d.day} data-day={d.day}>
                      <td data-label="Day">{d.day}</td>
                      <td data-label="Runs" className="num tabular">
                        {d.runs}
                      </td>
                      <td data-label="Input" className="num tabular">
                        {formatCount(d.prompt_tokens)}
                      </td>
                      <td data-label="Output" className="num tabular">
                        {formatCount(d.completion_tokens)}
                      </td>
                      <td data-label="Tokens" className="num tabular">
                        {formatCount(d.tokens)}
                      </td>
                      <td
                        data-label="Cost"
                        className="num tabular"
                        title={
                          d.unpriced_tokens > 0 ? `${formatCount(d.unpriced_tokens)} tokens without a price` : undefined
                        }
                      >
                        {formatCost(d.cost)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <div className="grid-2 wide-left">
        <section className="card">
          <header className="card-head">
            <h2>History</h2>
            <div className="toolbar compact">
              <ChoiceFilter
                label="Filter history by status"
                allLabel="All statuses"
                value={status}
                choices={runStatuses}
                onChange={(value) => (setStatus(value), setOffset(0))}
              />
              <ChoiceFilter
                label="Filter history by trigger"
                allLabel="All triggers"
                value={trigger}
                choices={triggers}
                onChange={(value) => (setTrigger(value), setOffset(0))}
              />
            </div>
          </header>
          <ErrorBanner error={history.error} />
          <SkipBreakdown stats={st} />
          {history.data && history.data.data.length === 0 && (
            <Empty title="No runs yet">Runs appear here as the schedule fires or when you run it now.</Empty>
          )}
          {history.data && history.data.data.length > 0 && <RunsTable runs={history.data.data} showSchedule={false} />}
          {history.data && <Pager offset={offset} limit={pageSize} total={history.data.total} onChange={setOffset} />}
        </section>
        <aside className="stack">
          <section className="card">
            <h2>Next 10 fire times</h2>
            {!s.enabled ? (
              <p className="muted small">Paused: nothing fires until it is resumed.</p>
            ) : (
              <ol className="fire-times" aria-label="Next 10 fire times">
                {upcoming.times.map((time) => (
                  <li key={time}>
                    <span className="tabular">{formatInstant(time, spec.timezone)}</span>{' '}
                    <span className="muted small">{zoneAbbreviation(time, spec.timezone)}</span>
                    {zoneAbbreviation(time, spec.timezone) !== zoneAbbreviation(time, viewerZone) && (
                      <div className="muted small">
                        {formatInstant(time, viewerZone)} {zoneAbbreviation(time, viewerZone)} yours
                      </div>
                    )}
                  </li>
                ))}
                {upcoming.error && <li className="field-error">{upcoming.error.message}</li>}
              </ol>
            )}
            {upcoming.excluded.length > 0 && (
              <p className="muted small" data-testid="detail-excluded">
                Excluded: {upcoming.excluded.map((time) => formatInstant(time, spec.timezone)).join(', ')}
              </p>
            )}
            {upcoming.dst && (
              <p className="small" data-testid="detail-dst">
                <strong>Next clock change:</strong> {upcoming.dst.effect}.
              </p>
            )}
          </section>
          <section className="card">
            <h2>Settings</h2>
            <dl className="facts">
              <dt>Time zone</dt>
              <dd>{spec.timezone}</dd>
              <dt>Overlap</dt>
              <dd>{s.overlap ?? '—'}</dd>
              <dt>Max concurrent</dt>
              <dd>{s.max_concurrent ?? 1}</dd>
              <dt>Timeout</dt>
              <dd>{s.timeout ? formatDuration(Number(s.timeout) * 1000) : 'assistant default'}</dd>
              <dt>Retries</dt>
              <dd>{Math.max(0, (s.retry?.max_attempts ?? 1) - 1)}</dd>
              <dt>Missed runs</dt>
              <dd>{s.misfire ?? '—'}</dd>
              <dt>Jitter</dt>
              <dd>{s.jitter ? formatDuration(Number(s.jitter) * 1000) : 'none'}</dd>
              <dt>Ends</dt>
              <dd>{s.end_at ? formatInstant(s.end_at, spec.timezone) : 'never'}</dd>
              <dt>Pause after failures</dt>
              <dd>{s.pause_after_failures ? countOf(s.pause_after_failures, 'failure') + ' in a row' : 'never'}</dd>
              <dt>Runs so far</dt>
              <dd>{s.run_count ?? '—'}</dd>
              <dt>DST policy</dt>
              <dd>
                {s.dst
                  ? `repeated: ${s.dst.repeated ?? 'cron rule'}, skipped: ${s.dst.skipped ?? 'cron rule'}`
                  : 'cron rule (fixed: first + shift, wild: both + skip)'}
              </dd>
              <dt>Excluded dates</dt>
              <dd>{s.exclude_dates && s.exclude_dates.length > 0 ? s.exclude_dates.join(', ') : 'none'}</dd>
              <dt>Excluded so far</dt>
              <dd>{s.excluded_count ?? 0}</dd>
            </dl>
            <h3>Input template</h3>
            <JsonView value={s.input_template} label="Input template" empty="No input." />
          </section>
        </aside>
      </div>
    </div>
  );
}
