import type { RunEventRow } from '../store/run-events.ts';

/** The kinds a run's event stream sends (GET /api/v1/runs/{id}/stream). */
export type StreamKind = 'status' | 'node_start' | 'node_end' | 'wait' | 'decision' | 'usage' | 'end';

/** One event of a run's stream: `event: <kind>`, `id: <seq>`, `data: <this as JSON>`. */
export interface StreamEvent {
  kind: StreamKind;
  seq: number;
  at: string;
  node?: string;
  [field: string]: unknown;
}

type Data = Record<string, unknown>;
type Mapped = { kind: StreamKind; node?: string; [field: string]: unknown };
type Mapper = (data: Data) => Mapped | null;

const pick = (data: Data, ...keys: string[]) =>
  Object.fromEntries(keys.filter((key) => data[key] !== undefined).map((key) => [key, data[key]]));

/**
 * How each stored trace kind (run_events.kind) shows in the stream; a kind not listed here is
 * not streamed (tool calls, thread bookkeeping, …). A new stream kind is one entry here.
 */
const streamed: Record<string, Mapper> = {
  attempt_started: (d) => ({ kind: 'status', status: 'running', ...pick(d, 'attempt') }),
  attempt_failed: (d) => ({
    kind: 'status',
    status: d.retry === false ? 'error' : 'pending',
    ...pick(d, 'attempt', 'error_kind', 'error', 'retry_in_ms'),
  }),
  released: (d) => ({ kind: 'status', status: 'pending', ...pick(d, 'reason') }),
  attempt_finished: (d) => ({ kind: 'status', ...pick(d, 'status', 'attempt', 'error_kind', 'error') }),
  skipped: (d) => ({ kind: 'status', status: 'skipped', ...pick(d, 'reason') }),
  capacity: (d) => ({ kind: 'status', status: 'error', error_kind: 'capacity', ...pick(d, 'reason') }),
  step_started: (d) => ({ kind: 'node_start', node: String(d.name ?? d.key), ...pick(d, 'key', 'type', 'attempt') }),
  step_finished: (d) => ({
    kind: 'node_end',
    node: String(d.name ?? d.key),
    ...pick(d, 'key', 'type', 'status', 'duration_ms', 'output', 'error'),
  }),
  // A run parks (data: its `waiting_for`) and its wait ends (a decision, an event, a timeout, a timer).
  wait: (d) => ({ kind: 'wait', ...(typeof d.node === 'string' && { node: d.node }), waiting_for: d }),
  // The decision's own `kind` (approval, event, time) is the wait's: sent as `wait_kind`.
  decision: (d) => ({ ...d, kind: 'decision', wait_kind: d.kind, ...(typeof d.node === 'string' && { node: d.node }) }),
  'llm.response': (d) => (d.usage ? { kind: 'usage', usage: d.usage } : null),
};

/** The stream event for a stored trace event, or null when that kind is not streamed. */
export function toStreamEvent(row: RunEventRow): StreamEvent | null {
  const mapper = streamed[row.kind];
  const data = row.data !== null && typeof row.data === 'object' ? (row.data as Data) : {};
  const mapped = mapper?.(data);
  return mapped ? { ...mapped, seq: row.seq, at: row.at.toISOString() } : null;
}
