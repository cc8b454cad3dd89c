import { runStreamEvents, type RunStreamEvent } from '../../sdk/run-stream.ts';
import { ApiError, getApiKey } from './client.ts';

export type { RunStreamEvent };

/**
 * Opens a run's event stream (GET /api/v1/runs/{id}/stream, docs/api.md "Run event stream") with
 * the session's key, which EventSource cannot send. Resolves once the server answered: a non-2xx
 * answer (an old server without the route, a 404) rejects with an {@link ApiError}, so that the
 * caller can fall back to polling. `lastEventId` resumes after that event.
 */
export async function openRunStream(
  runId: string,
  options: { lastEventId?: number; signal?: AbortSignal } = {},
): Promise<AsyncGenerator<RunStreamEvent>> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const key = getApiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/stream`, {
    headers,
    signal: options.signal,
  });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !response.body || !type.startsWith('text/event-stream')) {
    await response.body?.cancel().catch(() => {});
    throw new ApiError(
      response.status,
      `http_${response.status}`,
      `The run's stream did not open (${response.status}).`,
    );
  }
  return runStreamEvents(response.body);
}
