import { useState } from 'react';
import { workflowsApi } from '../api/endpoints.ts';
import type { WorkflowNode } from '../../sdk/index.ts';
import { RunNowDialog } from '../components/run-now-dialog.tsx';
import { RunsTable } from '../components/runs-table.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { WorkflowGraph } from '../components/workflow-graph.tsx';
import { usePoll } from '../hooks/use-poll.ts';
import { href, setQuery, useRoute } from '../hooks/use-route.ts';
import { countOf } from '../lib/format.ts';
import { Pager } from '../components/pager.tsx';
import { parseTemplateText } from '../lib/template-preview.ts';

/** Workflows: the list, or one workflow (its graph, its runs, run now). */
export function WorkflowsPage({ workflowId }: { workflowId?: string | undefined }) {
  return workflowId ? <WorkflowDetail workflowId={workflowId} /> : <WorkflowList />;
}

const pageSize = 50;

/** A page of workflows at a time, searched (name or description) on the server, with the true total. */
function WorkflowList() {
  const route = useRoute();
  const q = route.params.get('q') ?? '';
  const offset = Number(route.params.get('offset') ?? 0) || 0;
  const page = usePoll(
    () => workflowsApi.list({ search: q.trim() || undefined, limit: pageSize, offset }),
    [q, offset],
    5000,
  );
  const data = page.data?.data;
  const error = page.error;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Workflows</h1>
          <p className="muted">
            Multi-step jobs (steps, parallel branches, loops, routers, conditions) that schedules fire like assistants.
            Create them with the API, the CLI or the config file.
          </p>
        </div>
      </header>
      <div className="toolbar" role="search">
        <input
          type="search"
          className="search"
          placeholder="Search name or description…"
          aria-label="Search workflows"
          value={q}
          onChange={(event) => setQuery({ q: event.target.value, offset: undefined })}
        />
        {page.data && <span className="muted small">{countOf(page.data.total, 'workflow')}</span>}
      </div>
      <ErrorBanner error={error} />
      {!data && !error && <Loading />}
      {data && data.length === 0 && (q || offset > 0) && <Empty title="No workflow matches" />}
      {data && data.length === 0 && !q && offset === 0 && (
        <Empty title="No workflows yet">Create one with POST /api/v1/workflows or `kairos workflows create`.</Empty>
      )}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Workflows">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col" className="num">
                  Nodes
                </th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {data.map((workflow) => (
                <tr key={workflow.id} data-workflow={workflow.name}>
                  <td>
                    <a href={href(`/workflows/${workflow.id}`)}>{workflow.name}</a>
                    {workflow.description && <div className="muted small">{workflow.description}</div>}
                  </td>
                  <td>
                    <span className={workflow.status === 'active' ? 'badge ok' : 'badge paused'}>
                      {workflow.status}
                    </span>
                  </td>
                  <td className="num">{workflow.version}</td>
                  <td className="num">{countNodes((workflow.definition?.steps ?? []) as WorkflowNode[])}</td>
                  <td>{workflow.source ?? 'api'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data && (
        <Pager
          offset={offset}
          limit={pageSize}
          total={page.data.total}
          labels={['← Previous', 'Next →']}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
    </div>
  );
}

function countNodes(nodes: WorkflowNode[]): number {
  return nodes.reduce(
    (sum, node) => sum + 1 + countNodes([...(node.steps ?? []), ...(node.else_steps ?? []), ...(node.choices ?? [])]),
    0,
  );
}

function WorkflowDetail({ workflowId }: { workflowId: string }) {
  const workflow = usePoll(() => workflowsApi.get(workflowId), [workflowId], 10_000);
  const runs = usePoll(
    (signal) => workflowsApi.runs(workflowId, { limit: 50 }, signal).then((page) => page.data),
    [workflowId],
    3000,
  );
  const { canWrite } = useSession();
  const [running, setRunning] = useState(false);
  const w = workflow.data;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <div className="eyebrow">
            <a href={href('/workflows')}>Workflows</a>
          </div>
          <h1>{w?.name ?? 'Workflow'}</h1>
          {w && (
            <p className="muted">
              {w.description ? `${w.description} · ` : ''}version {w.version} · {w.status} · {w.source ?? 'api'}
            </p>
          )}
        </div>
        {canWrite && w && (
          <button
            type="button"
            className="button primary"
            disabled={w.status !== 'active'}
            onClick={() => setRunning(true)}
          >
            ⚡ Run now
          </button>
        )}
      </header>
      <ErrorBanner error={workflow.error ?? runs.error} />
      {!w && !workflow.error && <Loading />}
      {w && (
        <section className="card" aria-label="Definition">
          <h2>Definition</h2>
          <WorkflowGraph steps={(w.definition?.steps ?? []) as WorkflowNode[]} />
        </section>
      )}
      <section className="card" aria-label="Workflow runs">
        <h2>Runs</h2>
        {runs.data && runs.data.length === 0 && <p className="muted small">No runs yet.</p>}
        {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} showSchedule={false} />}
      </section>
      <RunNowDialog
        name={w?.name}
        open={running}
        intro="Starts one run of this workflow (its current version) right away; the first node receives the input."
        start={(input) => workflowsApi.run(w!.id, input.trim() ? { input: parseTemplateText(input) } : {})}
        onClose={() => setRunning(false)}
      />
    </div>
  );
}
