import { useState } from 'react';
import { assistantsApi, runsApi, schedulesApi } from '../api/endpoints.ts';
import { Pager } from '../components/pager.tsx';
import { countOf } from '../lib/format.ts';
import type { Assistant } from '../../sdk/index.ts';
import { AssistantForm } from '../components/assistant-form.tsx';
import { useCatalog } from '../components/catalog.tsx';
import { Dialog } from '../components/dialog.tsx';
import { RunNowDialog } from '../components/run-now-dialog.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { useToast } from '../components/toasts.tsx';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { href, navigate, setQuery, type Route } from '../hooks/use-route.ts';

const pageSize = 24;
import { parseTemplateText } from '../lib/template-preview.ts';

function target(assistant: Assistant): string {
  const c = assistant.config ?? {};
  if (assistant.kind === 'http') return String(c.url ?? '');
  if (assistant.kind === 'llm') return `${String(c.model ?? '')} @ ${String(c.base_url ?? '')}`;
  if (assistant.kind === 'module') return String(c.module ?? '');
  return assistant.kind;
}

/** Assistants: list, create and edit every kind, activate/deactivate, run now. */
export function AssistantsPage({ route }: { route: Route }) {
  const { assistants: catalog } = useCatalog();
  const q = route.params.get('q') ?? '';
  const offset = Number(route.params.get('offset') ?? 0) || 0;
  // A page at a time, searched by name on the server, with the true total.
  const page = usePoll(
    () => assistantsApi.list({ name: q.trim() || undefined, limit: pageSize, offset }),
    [q, offset],
    5000,
  );
  const assistants = page.data?.data;
  const error = page.error;
  const { canWrite } = useSession();
  const notify = useToast();
  const [runTarget, setRunTarget] = useState<Assistant>();
  const [, id, action] = route.segments;
  const creating = id === 'new';
  const editing = id && action === 'edit' ? (catalog ?? assistants)?.find((a) => a.id === id) : undefined;
  const focus = route.params.get('focus');

  const toggle = async (assistant: Assistant) => {
    const status = assistant.status === 'active' ? 'inactive' : 'active';
    try {
      await assistantsApi.update(assistant.id, { status });
      notify('success', `${assistant.name} is now ${status}.`);
      refreshAll();
    } catch (failure) {
      notify('error', `${assistant.name}: ${(failure as Error).message}`);
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Assistants</h1>
          <p className="muted">
            The agents schedules run: HTTP endpoints, LLMs, and registered modules. Multi-step jobs are{' '}
            <a href={href('/workflows')}>workflows</a>.
          </p>
        </div>
        {canWrite && (
          <a className="button primary" href={href('/assistants/new')}>
            + New assistant
          </a>
        )}
      </header>
      <div className="toolbar" role="search">
        <input
          type="search"
          className="search"
          placeholder="Search by name…"
          aria-label="Search assistants"
          value={q}
          onChange={(event) => setQuery({ q: event.target.value, offset: undefined })}
        />
        {page.data && <span className="muted small">{countOf(page.data.total, 'assistant')}</span>}
      </div>
      <ErrorBanner error={error} />
      {!assistants && !error && <Loading />}
      {assistants && assistants.length === 0 && !q && offset === 0 && (
        <Empty title="No assistants yet">Create one to schedule it.</Empty>
      )}
      {assistants && assistants.length === 0 && (q || offset > 0) && <Empty title="No assistant matches" />}
      <div className="cards">
        {(assistants ?? []).map((assistant) => {
          return (
            <article
              key={assistant.id}
              className={`card assistant-card ${focus === assistant.id ? 'focused' : ''}`}
              data-assistant={assistant.name}
              aria-label={assistant.name}
            >
              <header className="card-head">
                <div>
                  <h2>{assistant.name}</h2>
                  <div className="row-meta">
                    <span className="tag">{assistant.kind}</span>
                    <span className={assistant.status === 'active' ? 'badge ok' : 'badge paused'}>
                      {assistant.status}
                    </span>
                    {assistant.built_in && <span className="tag">built-in</span>}
                  </div>
                </div>
              </header>
              {assistant.description && <p className="small">{assistant.description}</p>}
              <code className="cron truncate" title={target(assistant)}>
                {target(assistant)}
              </code>
              <p className="muted small">
                <a href={href(`/schedules?assistant=${assistant.id}`)}>
                  <ScheduleCount assistantId={assistant.id} />
                </a>{' '}
                · <a href={href(`/runs?assistant=${assistant.id}`)}>runs</a>
              </p>
              {canWrite && (
                <div className="actions">
                  <button
                    type="button"
                    className="button small"
                    disabled={assistant.status !== 'active'}
                    onClick={() => setRunTarget(assistant)}
                    aria-label={`Run ${assistant.name} now`}
                  >
                    ⚡ Run now
                  </button>
                  {!assistant.built_in && (
                    <a
                      className="button small"
                      href={href(`/assistants/${assistant.id}/edit`)}
                      aria-label={`Edit ${assistant.name}`}
                    >
                      ✎ Edit
                    </a>
                  )}
                  <button
                    type="button"
                    className="button small"
                    onClick={() => toggle(assistant)}
                    aria-label={`${assistant.status === 'active' ? 'Deactivate' : 'Activate'} ${assistant.name}`}
                  >
                    {assistant.status === 'active' ? 'Deactivate' : 'Activate'}
                  </button>
                </div>
              )}
            </article>
          );
        })}
      </div>
      {page.data && (
        <Pager
          offset={offset}
          limit={pageSize}
          total={page.data.total}
          labels={['← Previous', 'Next →']}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
      <Dialog
        open={creating || Boolean(editing)}
        title={editing ? `Edit ${editing.name}` : 'New assistant'}
        onClose={() => navigate('/assistants')}
        wide
      >
        {(creating || editing) && (
          <AssistantForm key={editing?.id ?? 'new'} assistant={editing} onDone={() => navigate('/assistants')} />
        )}
      </Dialog>
      <RunNowDialog
        name={runTarget?.name}
        open={Boolean(runTarget)}
        intro="Starts one run of this assistant right away. The run is recorded in the history like any other."
        start={(input) => runsApi.create({ assistant_id: runTarget!.id, input: parseTemplateText(input) })}
        onClose={() => setRunTarget(undefined)}
      />
    </div>
  );
}

/** How many schedules run the assistant: the server's count, whatever their number. */
function ScheduleCount({ assistantId }: { assistantId: string }) {
  const count = usePoll(
    (signal) => schedulesApi.list({ assistant_id: assistantId, limit: 1 }, signal),
    [assistantId],
    15_000,
  );
  return <>{count.data ? countOf(count.data.total, 'schedule') : '… schedules'}</>;
}
