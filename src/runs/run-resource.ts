import type { RunEventRow } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import type { WaitingFor } from '../store/waits.ts';

/** A run as the API shows it. */
export interface RunResource {
  id: string;
  schedule_id: string | null;
  /** The name of the run's schedule once that schedule is deleted (schedule_id is then null); null otherwise. */
  schedule_name: string | null;
  assistant_id: string | null;
  /** Set for a run of a workflow, with the version it walks (null until it first starts). */
  workflow_id: string | null;
  workflow_version: number | null;
  thread_id: string | null;
  /** The conversation on the remote agent server (agentos session, langgraph thread, a2a context). */
  remote_session_id: string | null;
  owner_id: string;
  trigger: RunRow['trigger'];
  status: RunRow['status'];
  /** One of timeout, assistant_error, capacity, crashed, cancelled, config; null on success. */
  error_kind: RunRow['error_kind'];
  error: string | null;
  /** The occurrence's nominal time (scheduled runs; the trigger time for manual runs). */
  scheduled_for: string | null;
  /** When it could start: the occurrence plus jitter, or the retry's backoff. */
  not_before: string;
  run_number: number | null;
  input: unknown;
  output: unknown;
  usage: unknown;
  attempt: number;
  max_attempts: number;
  metadata: Record<string, unknown>;
  /** The run's own LangGraph `config` and `context` (given when it was created); null when none. */
  config: Record<string, unknown> | null;
  context: unknown;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** Set when it started after its start deadline (a fault, a busy moment): by how much, ms. */
  late_by_ms: number | null;
  /** While `pending`: why a gate holds it (`provider_limit`, `concurrency_key`, `budget`, …); null otherwise. */
  held_reason: string | null;
  /** 1 (first) to 5 (docs/gates.md). */
  priority: number;
  /** The concurrency key rendered at creation; null: none. */
  concurrency_key: string | null;
  /** Times it resumed after its worker died (a crash does not use up an attempt; see max_attempts). */
  recoveries: number;
  /** While `waiting`: what the run waits for (`{kind, node?, since, until?, prompt?, event?}`); null otherwise. */
  waiting_for: WaitingFor | null;
  /** The run this one replays (POST /runs/{id}/replay); null otherwise. */
  replay_of: string | null;
}

export interface RunEventResource {
  seq: number;
  at: string;
  kind: string;
  data: unknown;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toRunResource(row: RunRow): RunResource {
  return {
    id: row.id,
    schedule_id: row.schedule_id,
    schedule_name: row.schedule_name ?? null,
    assistant_id: row.assistant_id,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version,
    thread_id: row.thread_id,
    remote_session_id: row.remote_session_id ?? null,
    owner_id: row.owner_id,
    trigger: row.trigger,
    status: row.status,
    error_kind: row.error_kind,
    error: row.error,
    scheduled_for: iso(row.scheduled_for),
    not_before: row.not_before.toISOString(),
    run_number: row.run_number,
    input: row.input,
    output: row.output,
    usage: row.usage,
    attempt: row.attempt,
    max_attempts: row.max_attempts,
    metadata: row.metadata,
    config: row.config ?? null,
    context: row.context ?? null,
    created_at: row.created_at.toISOString(),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    duration_ms: row.duration_ms,
    late_by_ms: row.late_by_ms ?? null,
    held_reason: row.status === 'pending' ? (row.held_reason ?? null) : null,
    priority: row.priority ?? 3,
    concurrency_key: row.concurrency_key ?? null,
    recoveries: row.recoveries ?? 0,
    waiting_for: row.status === 'waiting' ? ((row.waiting_for as WaitingFor | null | undefined) ?? null) : null,
    replay_of: row.replay_of ?? null,
  };
}

export function toRunEventResource(row: RunEventRow): RunEventResource {
  return { seq: row.seq, at: row.at.toISOString(), kind: row.kind, data: row.data };
}
