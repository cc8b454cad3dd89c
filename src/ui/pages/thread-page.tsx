import { threadsApi } from '../api/endpoints.ts';
import { useCatalog } from '../components/catalog.tsx';
import { useOpenRun } from '../components/run-drawer.tsx';
import { ErrorBanner, Loading, Empty } from '../components/states.tsx';
import { usePoll } from '../hooks/use-poll.ts';
import { formatInstant, pretty, shortId } from '../lib/format.ts';

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content
      .map((part) => (typeof part === 'string' ? part : ((part as { text?: string })?.text ?? '')))
      .filter(Boolean);
    if (texts.length) return texts.join('\n');
  }
  if (content && typeof content === 'object' && typeof (content as { content?: unknown }).content === 'string') {
    return (content as { content: string }).content;
  }
  return pretty(content);
}

/** A persistent schedule's thread, read as a conversation. */
export function ThreadPage({ threadId }: { threadId: string }) {
  const thread = usePoll(() => threadsApi.get(threadId), [threadId], 5000);
  const { assistantName } = useCatalog();
  const openRun = useOpenRun();
  const t = thread.data;
  return (
    <div className="page narrow">
      <header className="page-head">
        <div>
          <h1>Thread {shortId(threadId)}</h1>
          {t && (
            <p className="muted">
              with {assistantName(t.assistant_id) ?? 'an assistant'} · {t.messages?.length ?? 0} messages
            </p>
          )}
        </div>
      </header>
      <ErrorBanner error={thread.error} />
      {!t && !thread.error && <Loading />}
      {t && (t.messages ?? []).length === 0 && <Empty title="No messages yet" />}
      <ol className="conversation">
        {(t?.messages ?? []).map((message, index) => (
          <li key={message.seq ?? index} className={`message role-${message.role}`}>
            <div className="message-head">
              <strong>{message.role}</strong>
              <span className="muted small">{formatInstant(message.created_at)}</span>
              {message.run_id && (
                <button type="button" className="link-button small" onClick={() => openRun(message.run_id!)}>
                  run {shortId(message.run_id)}
                </button>
              )}
            </div>
            <div className="message-body">{messageText(message.content)}</div>
          </li>
        ))}
      </ol>
    </div>
  );
}
