import { useSession } from '../components/session.tsx';
import { useToast } from '../components/toasts.tsx';
import { api } from '../api/client.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { agentSnippets } from '../lib/agent-snippets.ts';

/** "Connect an agent": the MCP URL and ready snippets for Claude Desktop, Cursor, an MCP client and function calling. */
export function ConnectAgentPage() {
  const { hasKey } = useSession();
  const notify = useToast();
  const origin = window.location.origin;
  // Without a key in this tab the API answered anyway: local mode, no key to configure.
  const localMode = !hasKey;
  const health = usePoll(() => api.get<{ cli?: string }>('/healthz'), [], 60_000);
  const copy = (text: string, what: string) => {
    navigator.clipboard.writeText(text).then(
      () => notify('success', `${what} copied`),
      () => notify('error', 'the browser did not allow copying: select the text instead'),
    );
  };
  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Connect an agent</h1>
          <p className="lead">
            Agents manage schedules with the same tools as you: create, preview, list, pause, resume, trigger and
            delete, acting as the user of their API key.
          </p>
        </div>
      </header>
      <section className="card">
        <div className="card-head">
          <h2>MCP server</h2>
          <button type="button" className="button small" onClick={() => copy(`${origin}/mcp`, 'The MCP URL')}>
            Copy URL
          </button>
        </div>
        <p>
          <code data-testid="mcp-url">{origin}/mcp</code> — Streamable HTTP.{' '}
          {localMode
            ? 'This server runs in local mode: no key is needed from this machine.'
            : 'Send an API key as Authorization: Bearer <key> (create one with kairos keys create); the agent can do exactly what that key can.'}
        </p>
        <p className="muted small">
          Desktop clients that only start local processes run <code>kairos mcp</code> (stdio), which talks to this
          server with KAIROS_URL and KAIROS_API_KEY.
        </p>
      </section>
      <div className="cards">
        {agentSnippets(origin, localMode, health.data?.cli).map((snippet) => (
          <section className="card" key={snippet.id} aria-labelledby={`snippet-${snippet.id}`}>
            <div className="card-head">
              <h2 id={`snippet-${snippet.id}`}>{snippet.title}</h2>
              <button
                type="button"
                className="button small"
                onClick={() => copy(snippet.code, snippet.title)}
                aria-label={`Copy the ${snippet.title} snippet`}
              >
                Copy
              </button>
            </div>
            <p className="muted small">{snippet.where}</p>
            <pre className="code" data-testid={`snippet-${snippet.id}`}>
              {snippet.code}
            </pre>
          </section>
        ))}
      </div>
      <p className="muted small">
        Kairos&apos;s own llm assistants get the tools with <code>{'"tools": ["schedules"]'}</code> in their config.
        More in docs/agents-tools.md.
      </p>
    </div>
  );
}
