import { useEffect, useState } from 'react';
import { triggersApi } from '../api/endpoints.ts';
import type { Delivery, Trigger, TriggerAuth } from '../../sdk/index.ts';
import { useCatalog } from '../components/catalog.tsx';
import { CopyUrl } from '../components/copy-url.tsx';
import { Dialog } from '../components/dialog.tsx';
import { useOpenRun } from '../components/run-drawer.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useToast } from '../components/toasts.tsx';
import { TriggerForm } from '../components/trigger-form.tsx';
import { useNow } from '../hooks/use-now.ts';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { setQuery, useRoute } from '../hooks/use-route.ts';
import { Pager } from '../components/pager.tsx';

const pageSize = 20;
import { countOf, formatInstant, formatRelative, shortId } from '../lib/format.ts';

const outcomeLabels: Record<Delivery['outcome'], string> = {
  accepted: 'Accepted',
  replayed: 'Replayed',
  unauthorized: 'Unauthorized',
  rate_limited: 'Rate limited',
  too_large: 'Too large',
  invalid: 'Invalid',
  disabled: 'Disabled',
  misconfigured: 'Misconfigured',
  unavailable: 'Unavailable',
  debounced: 'Debounced',
};

function authLabel(trigger: Trigger): string {
  const auth = trigger.auth as unknown as TriggerAuth;
  if (auth.type === 'bearer') return `Bearer token (${auth.token?.env ?? '?'})`;
  const format = auth.format === 'stripe' ? 'Stripe' : auth.format === 'github' ? 'GitHub' : 'HMAC';
  return `${format} signature in ${auth.header ?? '?'} (${auth.secret?.env ?? '?'})`;
}

/** Triggers: each with its URL (copy button), its delivery counts, and its last deliveries and their runs. */
export function TriggersPage() {
  const route = useRoute();
  const offset = Number(route.params.get('offset') ?? 0) || 0;
  // A page of cards at a time (each card reads its own deliveries), with the server's total.
  const poll = usePoll((signal) => triggersApi.list({ limit: pageSize, offset }, signal), [offset], 5000);
  const { canWrite } = useSession();
  const [creating, setCreating] = useState(false);
  // A deleted trigger's card goes at once, and only then is everything refreshed: a card still on
  // screen would ask for the deleted trigger's deliveries (a 404).
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (removed.size > 0) refreshAll();
  }, [removed]);
  const triggers = poll.data?.data.filter((trigger) => !removed.has(trigger.id));
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Triggers</h1>
          {poll.data && (
            <p className="muted" data-testid="trigger-count">
              {countOf(poll.data.total, 'trigger')}
            </p>
          )}
          <p className="muted">
            Inbound URLs: a signed delivery (a GitHub or Stripe webhook, any POST with the token) starts a run of an
            assistant or a workflow. Create them here, with the API or <code>kairos triggers create</code>.
          </p>
        </div>
        {canWrite && (
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            + New trigger
          </button>
        )}
      </header>
      <Dialog open={creating} title="New trigger" onClose={() => setCreating(false)} wide>
        <TriggerForm onDone={() => setCreating(false)} />
      </Dialog>
      <ErrorBanner error={poll.error} />
      {!triggers && !poll.error && <Loading />}
      {triggers && triggers.length === 0 && offset === 0 && (
        <Empty title="No triggers yet">
          <p className="muted">
            <strong>+ New trigger</strong>, or <code>POST /api/v1/triggers</code> with a name, an assistant or a
            workflow and an <code>auth</code>; see docs/triggers.md.
          </p>
        </Empty>
      )}
      <div className="stack">
        {(triggers ?? []).map((trigger) => (
          <TriggerCard
            key={trigger.id}
            trigger={trigger}
            onRemoved={(id) => setRemoved((prev) => new Set(prev).add(id))}
          />
        ))}
      </div>
      {poll.data && (
        <Pager
          offset={offset}
          limit={pageSize}
          total={poll.data.total}
          labels={['← Previous', 'Next →']}
          onChange={(next) => setQuery({ offset: next ? String(next) : undefined })}
        />
      )}
    </div>
  );
}

function TriggerCard({ trigger, onRemoved }: { trigger: Trigger; onRemoved: (id: string) => void }) {
  const { assistants } = useCatalog();
  const { canWrite } = useSession();
  const notify = useToast();
  const now = useNow(15_000);
  const [confirming, setConfirming] = useState(false);
  const deliveries = usePoll(
    (signal) => triggersApi.deliveries(trigger.id, 5, signal),
    [trigger.id, trigger.deliveries.total],
    5000,
  );
  const assistant = assistants?.find((a) => a.id === trigger.assistant_id);
  const debounced = trigger.deliveries.debounced ?? 0;
  const refused =
    (trigger.deliveries.total ?? 0) -
    (trigger.deliveries.accepted ?? 0) -
    (trigger.deliveries.replayed ?? 0) -
    debounced;

  const toggle = async () => {
    try {
      await triggersApi.update(trigger.id, { enabled: !trigger.enabled });
      notify('success', `${trigger.name} is now ${trigger.enabled ? 'disabled' : 'enabled'}.`);
      refreshAll();
    } catch (failure) {
      notify('error', `${trigger.name}: ${(failure as Error).message}`);
    }
  };
  const remove = async () => {
    try {
      await triggersApi.remove(trigger.id);
      notify('success', `Deleted trigger ${trigger.name} (its runs stay).`);
      onRemoved(trigger.id);
    } catch (failure) {
      notify('error', `${trigger.name}: ${(failure as Error).message}`);
      setConfirming(false);
    }
  };

  return (
    <article className="card trigger-card" data-trigger={trigger.name} aria-label={trigger.name}>
      <header className="card-head">
        <div>
          <h2>{trigger.name}</h2>
          <div className="row-meta">
            {trigger.enabled ? (
              <span className="badge ok">Enabled</span>
            ) : (
              <span className="badge paused">Disabled</span>
            )}
            <span className="tag">{authLabel(trigger)}</span>
            <span className="tag">
              overlap {trigger.overlap}, max {trigger.max_concurrent}
            </span>
            {trigger.rate_limit && (
              <span className="tag">
                ≤ {trigger.rate_limit.max} per {trigger.rate_limit.per_s} s
              </span>
            )}
            {trigger.debounce && (
              <span className="tag" data-testid="trigger-debounce">
                debounce {trigger.debounce.period}
                {trigger.debounce.key ? ` per ${trigger.debounce.key}` : ''}
              </span>
            )}
            <span className="muted small" data-testid="trigger-target">
              →{' '}
              {trigger.workflow_id
                ? `workflow ${shortId(trigger.workflow_id)}`
                : assistant
                  ? assistant.name
                  : trigger.assistant_id
                    ? shortId(trigger.assistant_id)
                    : '?'}
            </span>
          </div>
        </div>
        {canWrite && (
          <div className="row-actions">
            <button
              type="button"
              className="button small"
              onClick={toggle}
              aria-label={`${trigger.enabled ? 'Disable' : 'Enable'} ${trigger.name}`}
            >
              {trigger.enabled ? 'Disable' : 'Enable'}
            </button>
            {confirming ? (
              <>
                <button
                  type="button"
                  className="button small danger"
                  onClick={remove}
                  aria-label={`Confirm deleting ${trigger.name}`}
                >
                  Delete it
                </button>
                <button type="button" className="button small" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button
                type="button"
                className="button small"
                onClick={() => setConfirming(true)}
                aria-label={`Delete ${trigger.name}`}
              >
                Delete
              </button>
            )}
          </div>
        )}
      </header>
      <CopyUrl trigger={trigger} />
      <p className="muted small" data-testid="delivery-counts">
        {trigger.deliveries.total} {trigger.deliveries.total === 1 ? 'delivery' : 'deliveries'}:{' '}
        {trigger.deliveries.accepted ?? 0} accepted, {trigger.deliveries.replayed ?? 0} replayed,
        {debounced > 0 && ` ${debounced} debounced,`} {refused} refused
        {trigger.last_delivery_at && <> · last {formatRelative(trigger.last_delivery_at, now)}</>}
      </p>
      <DeliveriesTable deliveries={deliveries.data?.data} triggerName={trigger.name} />
    </article>
  );
}

function DeliveriesTable({ deliveries, triggerName }: { deliveries: Delivery[] | undefined; triggerName: string }) {
  const openRun = useOpenRun();
  if (!deliveries) return <Loading label="Loading deliveries…" />;
  if (deliveries.length === 0) return <p className="muted small">No deliveries yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label={`Last deliveries of ${triggerName}`}>
        <thead>
          <tr>
            <th>Received</th>
            <th>Outcome</th>
            <th className="num">HTTP</th>
            <th>Run</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} data-outcome={delivery.outcome}>
              <td className="num">{formatInstant(delivery.received_at)}</td>
              <td>
                <span
                  className={
                    delivery.outcome === 'accepted' ||
                    delivery.outcome === 'replayed' ||
                    delivery.outcome === 'debounced'
                      ? 'tag'
                      : 'tag bad'
                  }
                >
                  {outcomeLabels[delivery.outcome]}
                </span>
              </td>
              <td className="num">{delivery.http_status}</td>
              <td>
                {delivery.run_id ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => openRun(delivery.run_id!)}
                    aria-label={`Open run ${shortId(delivery.run_id)}`}
                  >
                    {shortId(delivery.run_id)} <StatusBadge status={delivery.run_status} />
                  </button>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="small">{delivery.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
