import { providersApi } from '../api/endpoints.ts';
import type { Provider } from '../../sdk/index.ts';
import { Empty, ErrorBanner, Loading } from '../components/states.tsx';
import { usePoll } from '../hooks/use-poll.ts';
import { countOf, formatInstant } from '../lib/format.ts';

/** `used / limit`, or just what was used when there is no limit. */
function usedOf(used: number, limit: number | null): string {
  return limit === null ? `${used} (no limit)` : `${used} / ${limit}`;
}

/** Providers: each with its limits and what it has used in the last minute (docs/gates.md "Providers"). */
export function ProvidersPage() {
  const poll = usePoll((signal) => providersApi.list({ limit: 200 }, signal), [], 5000);
  const providers = poll.data?.data;
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Providers</h1>
          {poll.data && (
            <p className="muted" data-testid="provider-count">
              {countOf(poll.data.total, 'provider')}
            </p>
          )}
          <p className="muted">
            Model providers and the limits every assistant that names one shares, across all replicas: requests and
            tokens per minute and runs at once. Create them with <code>kairos providers create</code> or{' '}
            <code>POST /api/v1/providers</code>.
          </p>
        </div>
      </header>
      <ErrorBanner error={poll.error} />
      {!providers && !poll.error && <Loading />}
      {providers && providers.length === 0 && (
        <Empty title="No providers yet">
          <p className="muted">
            <code>POST /api/v1/providers</code> with a name, a <code>base_url</code>, an <code>api_key</code> as{' '}
            <code>{'{"env": "NAME"}'}</code> and its <code>rpm</code>, <code>tpm</code> and <code>max_concurrent</code>;
            then give assistants <code>"provider": "&lt;name&gt;"</code>.
          </p>
        </Empty>
      )}
      {providers && providers.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="providers-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Base URL</th>
                <th>Requests / min</th>
                <th>Tokens / min</th>
                <th>Running</th>
                <th>Paused until</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((provider: Provider) => (
                <tr key={provider.id} data-provider={provider.name}>
                  <td data-label="Name">
                    <div>{provider.name}</div>
                    <div className="muted small">
                      {provider.api_key ? `key: env ${provider.api_key.env}` : 'no key'}
                    </div>
                  </td>
                  <td data-label="Base URL">
                    <code>{provider.base_url}</code>
                  </td>
                  <td data-label="Requests / min">{usedOf(provider.usage.requests, provider.rpm)}</td>
                  <td data-label="Tokens / min">{usedOf(provider.usage.tokens, provider.tpm)}</td>
                  <td data-label="Running">{usedOf(provider.usage.running, provider.max_concurrent)}</td>
                  <td data-label="Paused until">
                    {provider.paused_until && Date.parse(provider.paused_until) > Date.now()
                      ? formatInstant(provider.paused_until)
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
