import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { invalid } from '../errors.ts';
import { runEventStream } from '../runs/run-event-stream.ts';
import type { StreamEvent } from '../runs/stream-kinds.ts';
import type { Database } from '../store/database.ts';

/** The sequence number in `Last-Event-ID` (0 when absent); anything else is a 422 naming the header. */
export function lastEventId(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return 0;
  const seq = Number(header.trim());
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw invalid('Last-Event-ID', `"${header}" is not an event id: send the id of the last event received`);
  return seq;
}

export interface RunStreamShape {
  /** Events sent before the run's own (LangGraph's `metadata`). */
  before?: ReadonlyArray<{ event: string; data: unknown }>;
  /** Events sent instead of `end` (LangGraph's `values`, then `end`); default: `end` itself. */
  ending?: (end: StreamEvent) => ReadonlyArray<{ event: string; data: unknown }>;
}

/**
 * Answers with the run's event stream as Server-Sent Events (`event: <kind>`, `id: <seq>`,
 * `data: <JSON>`), closed after `end` or when the client goes away. Access is checked before.
 */
export function runStreamResponse(
  c: Context,
  db: Database,
  runId: string,
  afterSeq: number,
  shape: RunStreamShape = {},
): Response {
  c.header('Cache-Control', 'no-cache');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    const abort = new AbortController();
    stream.onAbort(() => abort.abort());
    for (const first of shape.before ?? [])
      await stream.writeSSE({ event: first.event, data: JSON.stringify(first.data) });
    for await (const event of runEventStream({ db, runId, afterSeq, signal: abort.signal })) {
      const id = String(event.seq);
      if (event.kind === 'end' && shape.ending) {
        for (const last of shape.ending(event))
          await stream.writeSSE({ event: last.event, id, data: JSON.stringify(last.data) });
      } else {
        await stream.writeSSE({ event: event.kind, id, data: JSON.stringify(event) });
      }
      if (abort.signal.aborted) break;
    }
  });
}
