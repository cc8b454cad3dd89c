import { useState } from 'react';
import { triggersApi } from '../api/endpoints.ts';
import type { InboundTrigger, TriggerDelivery } from '../api/types.ts';
import { useCatalog } from '../components/catalog.tsx';
import { useOpenRun } from '../components/run-drawer.tsx';
import { useSession } from '../components/session.tsx';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useToast } from '../components/toasts.tsx';
import { useNow } from '../hooks/use-now.ts';
import { refreshAll, usePoll } from '../hooks/use-poll.ts';
import { formatInstant, formatRelative, shortId } from '../lib/format.ts';

const outcomeLabels: Record<TriggerDelivery['outcome'], string> = {
  accepted: 'Accepted',
  replayed: 'Replayed',
  unauthorized: 'Unauthorized',
  rate_limited: 'Rate limited',
  too_large: 'Too large',
  invalid: 'Invalid',
  disabled: 'Disabled',
  misconfigured: 'Misconfigured',
  unavailable: 'Unavailable',
};

/** The URL senders POST to: absolute already (KAIROS_PUBLIC_URL), or on this dashboard's origin. */
export function triggerUrl(trigger: InboundTrigger): string {
  return /^https?:\/\//.test(trigger.url) ? trigger.url : `${window.location.origin}${trigger.url}`;
}

function authLabel(trigger: InboundTrigger): string {
  if (trigger.auth.type === 'bearer') return `Bearer token (${trigger.auth.token?.env ?? '?'})`;
  const format = trigger.auth.format === 'stripe' ? 'Stripe' : trigger.auth.format === 'github' ? 'GitHub' : 'HMAC';
  return `${format} signature in ${trigger.auth.header ?? '?'} (${trigger.auth.secret?.env ?? '?'})`;
}

/** Triggers: each with its URL (copy button), its delivery counts, and its last deliveries and their runs. */
export function TriggersPage() {
  const poll = usePoll((signal) => triggersApi.list(signal), [], 5000);
  const triggers = poll.data?.data;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Triggers</h1>
          <p className="muted">
            Inbound URLs: a signed delivery (a GitHub or Stripe webhook, any POST with the token) starts a run. Create them with the API or{' '}
            <code>kairos triggers create</code>.
          </p>
        </div>
      </header>
      <ErrorBanner error={poll.error} />
      {!triggers && !poll.error && <Loading />}
      {triggers && triggers.length === 0 && (
        <Empty title="No triggers yet">
          <p className="muted">
            <code>POST /api/v1/triggers</code> with a name, an assistant and an <code>auth</code>; see docs/triggers.md.
          </p>
        </Empty>
      )}
      <div className="stack">
        {(triggers ?? []).map((trigger) => (
          <TriggerCard key={trigger.id} trigger={trigger} />
        ))}
      </div>
    </div>
  );
}

function TriggerCard({ trigger }: { trigger: InboundTrigger }) {
  const { assistants } = useCatalog();
  const { canWrite } = useSession();
  const notify = useToast();
  const now = useNow(15_000);
  const url = triggerUrl(trigger);
  const [copied, setCopied] = useState(false);
  const deliveries = usePoll((signal) => triggersApi.deliveries(trigger.id, 5, signal), [trigger.id, trigger.deliveries.total], 5000);
  const assistant = assistants?.find((a) => a.id === trigger.assistant_id);
  const refused = trigger.deliveries.total - (trigger.deliveries.accepted ?? 0) - (trigger.deliveries.replayed ?? 0);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      notify('error', 'The browser did not allow copying; select the URL and copy it by hand.');
    }
  };
  const toggle = async () => {
    try {
      await triggersApi.update(trigger.id, { enabled: !trigger.enabled });
      notify('success', `${trigger.name} is now ${trigger.enabled ? 'disabled' : 'enabled'}.`);
      refreshAll();
    } catch (failure) {
      notify('error', `${trigger.name}: ${(failure as Error).message}`);
    }
  };

  return (
    <article className="card trigger-card" data-trigger={trigger.name} aria-label={trigger.name}>
      <header className="card-head">
        <div>
          <h2>{trigger.name}</h2>
          <div className="row-meta">
            {trigger.enabled ? <span className="badge ok">Enabled</span> : <span className="badge paused">Disabled</span>}
            <span className="tag">{authLabel(trigger)}</span>
            <span className="tag">
              overlap {trigger.overlap}, max {trigger.max_concurrent}
            </span>
            {trigger.rate_limit && (
              <span className="tag">
                ≤ {trigger.rate_limit.max} per {trigger.rate_limit.per_s} s
              </span>
            )}
            <span className="muted small">→ {assistant ? assistant.name : trigger.assistant_id ? shortId(trigger.assistant_id) : 'workflow'}</span>
          </div>
        </div>
        {canWrite && (
          <button type="button" className="button small" onClick={toggle} aria-label={`${trigger.enabled ? 'Disable' : 'Enable'} ${trigger.name}`}>
            {trigger.enabled ? 'Disable' : 'Enable'}
          </button>
        )}
      </header>
      <div className="copy-row">
        <code className="cron truncate" aria-label={`URL of ${trigger.name}`} title={url}>
          POST {url}
        </code>
        <button type="button" className="button small" onClick={copy} aria-label={`Copy the URL of ${trigger.name}`}>
          {copied ? '✓ Copied' : 'Copy URL'}
        </button>
      </div>
      <p className="muted small" data-testid="delivery-counts">
        {trigger.deliveries.total} {trigger.deliveries.total === 1 ? 'delivery' : 'deliveries'}: {trigger.deliveries.accepted ?? 0} accepted, {trigger.deliveries.replayed ?? 0} replayed, {refused} refused
        {trigger.last_delivery_at && <> · last {formatRelative(trigger.last_delivery_at, now)}</>}
      </p>
      <DeliveriesTable deliveries={deliveries.data?.data} triggerName={trigger.name} />
    </article>
  );
}

function DeliveriesTable({ deliveries, triggerName }: { deliveries: TriggerDelivery[] | undefined; triggerName: string }) {
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
                <span className={delivery.outcome === 'accepted' || delivery.outcome === 'replayed' ? 'tag' : 'tag bad'}>{outcomeLabels[delivery.outcome]}</span>
              </td>
              <td className="num">{delivery.http_status}</td>
              <td>
                {delivery.run_id ? (
                  <button type="button" className="link-button" onClick={() => openRun(delivery.run_id!)} aria-label={`Open run ${shortId(delivery.run_id)}`}>
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
