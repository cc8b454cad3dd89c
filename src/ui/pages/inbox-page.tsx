import { useState } from 'react';
import type { Approval } from '../../sdk/index.ts';
import { approvalsApi } from '../api/approvals.ts';
import { useCatalog } from '../components/catalog.tsx';
import { Pager } from '../components/pager.tsx';
import { useOpenRun } from '../components/run-drawer.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { useToast } from '../components/toasts.tsx';
import { useNow } from '../hooks/use-now.ts';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { href, setQuery, useRoute } from '../hooks/use-route.ts';
import { countOf, formatInstant, formatRelative, shortId } from '../lib/format.ts';

const pageSize = 20;

/** One pending approval: the prompt, its run's context, and approve/reject with a comment. */
function ApprovalCard({ approval }: { approval: Approval }) {
  const catalog = useCatalog();
  const openRun = useOpenRun();
  const notify = useToast();
  const now = useNow(30_000);
  const { canWrite } = useSession();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const source = approval.workflow_id
    ? `Workflow ${catalog.workflowName(approval.workflow_id) ?? shortId(approval.workflow_id)}`
    : approval.assistant_id
      ? `Assistant ${catalog.assistantName(approval.assistant_id) ?? shortId(approval.assistant_id)}`
      : 'Run';
  const schedule = approval.schedule_id ? catalog.scheduleName(approval.schedule_id) : undefined;

  const decide = async (approved: boolean) => {
    setBusy(true);
    try {
      await approvalsApi.decide(approval.run_id, { approved, ...(comment.trim() && { comment: comment.trim() }) });
      notify('success', `${approved ? 'Approved' : 'Rejected'}: the run resumes.`, {
        label: 'Open run',
        href: href(`/runs/${approval.run_id}`),
      });
      refreshAll();
    } catch (error) {
      notify('error', (error as Error).message);
      refreshAll();
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card approval" data-testid="approval" data-run-id={approval.run_id}>
      <div style={{ marginBottom: 8 }}>
        <strong>{source}</strong>
        {schedule && <span className="muted"> · schedule {schedule}</span>}
        <span className="muted"> · step {approval.node}</span>
      </div>
      <pre data-testid="approval-prompt" style={{ whiteSpace: 'pre-wrap', margin: '0 0 8px', font: 'inherit' }}>
        {approval.prompt ?? '(no prompt)'}
      </pre>
      <p className="muted small">
        Waiting since <span title={formatInstant(approval.since)}>{formatRelative(approval.since, now)}</span>
        {approval.until && (
          <>
            {' '}
            · closes <span title={formatInstant(approval.until)}>{formatRelative(approval.until, now)}</span>
          </>
        )}{' '}
        ·{' '}
        <button type="button" className="link-button small" onClick={() => openRun(approval.run_id)}>
          run {shortId(approval.run_id)}
        </button>
      </p>
      {canWrite && (
        <div className="approval-actions">
          <label style={{ display: 'grid', gap: 4 }}>
            <span className="small muted">Comment (optional)</span>
            <textarea
              value={comment}
              maxLength={10_000}
              rows={2}
              onChange={(event) => setComment(event.target.value)}
              aria-label={`Comment on ${approval.node}`}
            />
          </label>
          <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
            <button type="button" className="button primary" disabled={busy} onClick={() => void decide(true)}>
              Approve
            </button>
            <button type="button" className="button danger" disabled={busy} onClick={() => void decide(false)}>
              Reject
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

/** Inbox: the approvals the caller may decide, oldest first (GET /api/v1/approvals). */
export function InboxPage() {
  const route = useRoute();
  const offset = Number(route.params.get('offset') ?? 0) || 0;
  const poll = usePoll((signal) => approvalsApi.pending({ limit: pageSize, offset }, signal), [offset], 5000);
  const items = poll.data?.data;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Inbox</h1>
          {poll.data && (
            <p className="muted" data-testid="approval-count">
              {countOf(poll.data.total, 'pending approval')}
            </p>
          )}
          <p className="muted">
            Runs waiting for a person: workflow <code>wait</code> nodes with an <code>approval</code>. Approve or reject
            here, with <code>kairos approvals</code>, or through the signed link a notification carries.
          </p>
        </div>
      </header>
      <ErrorBanner error={poll.error} />
      {!items && !poll.error && <Loading />}
      {items && items.length === 0 && (
        <Empty title="Nothing waits for you">Approvals you may decide appear here.</Empty>
      )}
      {items && items.length > 0 && (
        <ul className="approvals" style={{ listStyle: 'none', padding: 0, display: 'grid', gap: 12 }}>
          {items.map((approval) => (
            <ApprovalCard key={`${approval.run_id}:${approval.node}:${approval.since}`} approval={approval} />
          ))}
        </ul>
      )}
      {poll.data && poll.data.total > pageSize && (
        <Pager
          total={poll.data.total}
          offset={offset}
          limit={pageSize}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
    </div>
  );
}
