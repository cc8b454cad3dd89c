import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One event of a run's stream (GET /api/v1/runs/{id}/stream; docs/api.md "Run event stream"). */
export interface RunStreamEvent {
  kind: 'status' | 'node_start' | 'node_end' | 'wait' | 'decision' | 'usage' | 'output_chunk' | 'end';
  seq: number;
  at: string;
  node?: string;
  [field: string]: unknown;
}

/**
 * The events of an SSE response body, in order, until the server ends the stream (after `end`).
 * Pass the last `seq` seen as `lastEventId` to a new request to resume after it. Stopping early
 * (a `break` in `for await`) cancels the body.
 */
export async function* runStreamEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RunStreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => parsed.push(message) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      for (const message of parsed.splice(0)) {
        if (message.data !== '') yield JSON.parse(message.data) as RunStreamEvent;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
