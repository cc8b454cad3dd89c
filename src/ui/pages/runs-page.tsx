import { useState } from 'react';
import { runsApi, schedulesApi } from '../api/endpoints.ts';
import { runStatuses, triggers } from '../lib/run-kinds.ts';
import { useCatalog } from '../components/catalog.tsx';
import { ChoiceFilter } from '../components/choice-filter.tsx';
import { Pager } from '../components/pager.tsx';
import { RunsTable } from '../components/runs-table.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { usePoll } from '../hooks/use-poll.ts';
import { setQuery, type Route } from '../hooks/use-route.ts';
import { countOf } from '../lib/format.ts';

const pageSize = 50;
const ranges: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/** Every run, scheduled or manual, filterable by status, trigger, assistant, schedule and time. */
export function RunsPage({ route }: { route: Route }) {
  const { assistants, scheduleName } = useCatalog();
  const status = route.params.get('status') ?? '';
  const trigger = route.params.get('trigger') ?? '';
  const assistant = route.params.get('assistant') ?? '';
  const schedule = route.params.get('schedule') ?? '';
  const range = route.params.get('range') ?? '';
  const offset = Number(route.params.get('offset') ?? 0) || 0;
  const runs = usePoll(
    (signal) =>
      runsApi.list(
        {
          status,
          trigger,
          assistant_id: assistant,
          schedule_id: schedule,
          // The range bounds `created_at` on the server, so the paging and total count the range.
          from: range && ranges[range] ? new Date(Date.now() - ranges[range]).toISOString() : undefined,
          limit: pageSize,
          offset,
        },
        signal,
      ),
    [status, trigger, assistant, schedule, range, offset],
    3000,
  );
  // The schedule filter offers the first 200 schedules by name (a search narrows them) and the chosen one.
  const [scheduleSearch, setScheduleSearch] = useState('');
  const choices = usePoll(
    (signal) => schedulesApi.list({ sort: 'name', limit: 200, q: scheduleSearch.trim() || undefined }, signal),
    [scheduleSearch],
    30_000,
  );
  const schedules = choices.data?.data ?? [];
  const shown = runs.data?.data ?? [];
  const setFilter = (key: string) => (value: string) => setQuery({ [key]: value, offset: undefined });
  const filter = (key: string) => (event: { target: { value: string } }) => setFilter(key)(event.target.value);
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="muted">{runs.data ? countOf(runs.data.total, 'run') : ' '}</p>
        </div>
      </header>
      <div className="toolbar">
        <ChoiceFilter
          label="Filter by status"
          allLabel="All statuses"
          value={status}
          choices={runStatuses}
          onChange={setFilter('status')}
        />
        <ChoiceFilter
          label="Filter by trigger"
          allLabel="All triggers"
          value={trigger}
          choices={triggers}
          onChange={setFilter('trigger')}
        />
        <select aria-label="Filter by assistant" value={assistant} onChange={filter('assistant')}>
          <option value="">All assistants</option>
          {(assistants ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="search small"
          aria-label="Find a schedule"
          placeholder="Find a schedule…"
          value={scheduleSearch}
          onChange={(event) => setScheduleSearch(event.target.value)}
        />
        <select aria-label="Filter by schedule" value={schedule} onChange={filter('schedule')}>
          <option value="">All schedules</option>
          {schedule && !schedules.some((s) => s.id === schedule) && (
            <option value={schedule}>{scheduleName(schedule) ?? schedule}</option>
          )}
          {(schedules ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select aria-label="Time range" value={range} onChange={filter('range')}>
          <option value="">Any time</option>
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
        </select>
      </div>
      <ErrorBanner error={runs.error} />
      {!runs.data && !runs.error && <Loading />}
      {runs.data && shown.length === 0 && (
        <Empty title="No runs match">Runs appear as schedules fire, or when you run an assistant now.</Empty>
      )}
      {shown.length > 0 && <RunsTable runs={shown} />}
      {runs.data && (
        <Pager
          offset={offset}
          limit={pageSize}
          total={runs.data.total}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
    </div>
  );
}
