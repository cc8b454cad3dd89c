import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { runsApi, workflowsApi } from '../api/endpoints.ts';
import type { Run, RunStep, RunWithEvents } from '../../sdk/index.ts';
import { useLiveRun } from '../hooks/use-live-run.ts';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { href } from '../hooks/use-route.ts';
import { between, formatDuration, formatInstant, shortId } from '../lib/format.ts';
import { useCatalog } from './catalog.tsx';
import { JsonView } from './json-view.tsx';
import { useSession } from './session.tsx';
import { Loading, ErrorBanner } from './states.tsx';
import { StatusBadge, failureLabels, heldLabel } from './status-badge.tsx';
import { StepTree } from './step-tree.tsx';
import { useToast } from './toasts.tsx';

const RunDrawerContext = createContext<(runId: string) => void>(() => undefined);

/** Any page can open a run; the drawer sits above the page and keeps it in view. */
export function RunDrawerProvider({ children }: { children: ReactNode }) {
  const [runId, setRunId] = useState<string>();
  const open = useCallback((id: string) => setRunId(id), []);
  return (
    <RunDrawerContext.Provider value={open}>
      {children}
      {runId && <RunDrawer runId={runId} onClose={() => setRunId(undefined)} />}
    </RunDrawerContext.Provider>
  );
}

export function useOpenRun(): (runId: string) => void {
  return useContext(RunDrawerContext);
}

const finished = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

export function runError(run: Run): string | undefined {
  return run.error ?? undefined;
}

export function runReason(run: Run): string | undefined {
  return run.error_kind ?? undefined;
}

function RunDrawer({ runId, onClose }: { runId: string; onClose: () => void }) {
  // Live over the run's event stream (a slow poll only when the stream does not open).
  const { data: run, error } = useLiveRun(runId);
  const { scheduleName, assistantName } = useCatalog();
  const workflowId = run?.workflow_id ?? undefined;
  // The workflow's name for the title and the facts; read once per workflow, not on every event.
  const { data: workflow } = usePoll(
    () => (workflowId ? workflowsApi.get(workflowId) : Promise.resolve(undefined)),
    [workflowId],
    60_000,
  );
  const { canWrite } = useSession();
  const notify = useToast();
  const panel = useRef<HTMLElement>(null);
  const [tab, setTab] = useState<'output' | 'input' | 'trace'>('output');

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);

  const cancel = async () => {
    try {
      await runsApi.cancel(runId);
      notify('success', 'Cancellation requested.');
      refreshAll();
    } catch (failure) {
      notify('error', `Could not cancel: ${(failure as Error).message}`);
    }
  };

  const lag = run ? between(run.scheduled_for ?? run.not_before, run.started_at) : null;
  const message = run ? runError(run) : undefined;
  const reason = run ? runReason(run) : undefined;
  return (
    <div className="drawer-backdrop" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-label="Run details" tabIndex={-1} ref={panel}>
        <header className="drawer-head">
          <div>
            <div className="eyebrow">Run {shortId(runId)}</div>
            <h2>
              {run
                ? (scheduleName(run.schedule_id) ?? assistantName(run.assistant_id) ?? workflow?.name ?? 'Run')
                : 'Run'}{' '}
              {run && <StatusBadge status={run.status} />}
              {run?.status === 'pending' && run.held_reason && (
                <span className="muted small" data-held={run.held_reason}>
                  {' '}
                  {heldLabel(run.held_reason)}
                </span>
              )}
            </h2>
          </div>
          <button type="button" className="icon-button" aria-label="Close run details" onClick={onClose}>
            ✕
          </button>
        </header>
        <ErrorBanner error={error} />
        {!run && !error && <Loading />}
        {run && (
          <div className="drawer-content">
            {message && (
              <section className="banner error run-error" aria-label="Run error">
                <strong>{reason ? (failureLabels[reason] ?? reason) : 'Error'}</strong>
                <pre className="error-text">{message}</pre>
              </section>
            )}
            <dl className="facts">
              <dt>Trigger</dt>
              <dd>{run.trigger ?? '—'}</dd>
              <dt>Schedule</dt>
              <dd>
                {run.schedule_id ? (
                  <a href={href(`/schedules/${run.schedule_id}`)}>
                    {scheduleName(run.schedule_id) ?? shortId(run.schedule_id)}
                  </a>
                ) : run.schedule_name ? (
                  `${run.schedule_name} (deleted)`
                ) : (
                  '—'
                )}
              </dd>
              {run.workflow_id ? (
                <>
                  <dt>Workflow</dt>
                  <dd>
                    <a href={href(`/workflows/${run.workflow_id}`)} onClick={onClose}>
                      {workflow?.name ?? shortId(run.workflow_id)}
                    </a>
                    {run.workflow_version != null && (
                      <span className="muted small"> · version {run.workflow_version}</span>
                    )}
                  </dd>
                </>
              ) : (
                <>
                  <dt>Assistant</dt>
                  <dd>{assistantName(run.assistant_id) ?? shortId(run.assistant_id)}</dd>
                </>
              )}
              <dt>Scheduled for</dt>
              <dd>{formatInstant(run.scheduled_for)}</dd>
              <dt>Started</dt>
              <dd>{formatInstant(run.started_at)}</dd>
              <dt>Lag</dt>
              <dd>{lag === null ? '—' : formatDuration(lag)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(run.duration_ms ?? between(run.started_at, run.finished_at))}</dd>
              <dt>Attempt</dt>
              <dd>
                {run.attempt ?? 1}
                {run.max_attempts ? ` of ${run.max_attempts}` : ''}
              </dd>
              {run.run_number != null && (
                <>
                  <dt>Run number</dt>
                  <dd>#{run.run_number}</dd>
                </>
              )}
              {run.thread_id && (
                <>
                  <dt>Thread</dt>
                  <dd>
                    <a href={href(`/threads/${run.thread_id}`)} onClick={onClose}>
                      Read conversation
                    </a>
                  </dd>
                </>
              )}
              {run.remote_session_id && (
                <>
                  <dt>Remote session</dt>
                  <dd className="mono">{run.remote_session_id}</dd>
                </>
              )}
            </dl>
            {canWrite && !finished.has(run.status) && (
              <button type="button" className="button danger small" onClick={cancel}>
                Cancel run
              </button>
            )}
            {run.workflow_id && (
              <section aria-label="Step tree">
                <h3 className="small">Steps</h3>
                <StepTree steps={(run.steps ?? []) as RunStep[]} />
              </section>
            )}
            <div className="tabs" role="tablist" aria-label="Run data">
              {(['output', 'input', 'trace'] as const).map((name) => (
                <button
                  key={name}
                  type="button"
                  role="tab"
                  aria-selected={tab === name}
                  className={tab === name ? 'tab active' : 'tab'}
                  onClick={() => setTab(name)}
                >
                  {name === 'trace' ? `Events (${run.events?.length ?? 0})` : name[0]!.toUpperCase() + name.slice(1)}
                </button>
              ))}
            </div>
            <div role="tabpanel" aria-label={tab}>
              {tab === 'output' && (
                <JsonView
                  value={run.output}
                  label="Run output"
                  empty={finished.has(run.status) ? 'No output.' : 'Not finished yet.'}
                />
              )}
              {tab === 'input' && <JsonView value={run.input} label="Rendered input" empty="No input." />}
              {tab === 'trace' && <EventTrace run={run} />}
            </div>
          </div>
        )}
      </aside>
    </div>
  );
}

function EventTrace({ run }: { run: RunWithEvents }) {
  const events = run.events ?? [];
  if (events.length === 0) return <p className="muted small">No events recorded.</p>;
  const start = new Date(events[0]!.at).getTime();
  return (
    <ol className="trace">
      {events.map((event, index) => (
        <li key={event.seq ?? index}>
          <div className="trace-head">
            <span className="trace-kind">{event.kind}</span>
            <span className="muted small tabular">+{formatDuration(new Date(event.at).getTime() - start)}</span>
          </div>
          {event.data !== null && event.data !== undefined && (
            <JsonView value={event.data} label={`Event ${event.kind}`} />
          )}
        </li>
      ))}
    </ol>
  );
}
