import { EventSourceParserStream } from 'eventsource-parser/stream';

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
 * Pass the last `seq` seen as `lastEventId` to a new request to resume after it.
 */
export async function* runStreamEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RunStreamEvent> {
  const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of events) {
    if (message.data === '') continue;
    yield JSON.parse(message.data) as RunStreamEvent;
  }
}
