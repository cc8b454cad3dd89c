import { useState } from 'react';
import { assistantsApi, runsApi } from '../api/endpoints.ts';
import type { Assistant } from '../../sdk/index.ts';
import { AssistantForm } from '../components/assistant-form.tsx';
import { useCatalog } from '../components/catalog.tsx';
import { Dialog } from '../components/dialog.tsx';
import { RunNowDialog } from '../components/run-now-dialog.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { useToast } from '../components/toasts.tsx';
import { refreshAll } from '../hooks/use-poll.ts';
import { href, navigate, type Route } from '../hooks/use-route.ts';
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
  const { assistants, schedules, error } = useCatalog();
  const { canWrite } = useSession();
  const notify = useToast();
  const [runTarget, setRunTarget] = useState<Assistant>();
  const [, id, action] = route.segments;
  const creating = id === 'new';
  const editing = id && action === 'edit' ? assistants?.find((a) => a.id === id) : undefined;
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
      <ErrorBanner error={error} />
      {!assistants && !error && <Loading />}
      {assistants && assistants.length === 0 && <Empty title="No assistants yet">Create one to schedule it.</Empty>}
      <div className="cards">
        {(assistants ?? []).map((assistant) => {
          const count = (schedules ?? []).filter((s) => s.assistant_id === assistant.id).length;
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
                  {count} schedule{count === 1 ? '' : 's'}
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
