/**
 * The shapes of the native API as the dashboard reads them. Fields the API may omit are optional
 * so that the pages degrade instead of crashing when a field is missing.
 */

export type RunStatus = 'pending' | 'running' | 'success' | 'error' | 'timeout' | 'cancelled' | 'skipped';
export const runStatuses: RunStatus[] = ['pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped'];
export type FailureReason =
  | 'timeout'
  | 'assistant_error'
  | 'capacity'
  | 'crashed'
  | 'cancelled'
  | 'config'
  | 'workflow_error'
  | 'missed'
  | 'excluded'
  | 'outage'
  | 'rate_limited';
export type Trigger = 'schedule' | 'manual' | 'api' | 'retry' | 'backfill' | 'event';
export const triggers: Trigger[] = ['schedule', 'manual', 'api', 'retry', 'backfill', 'event'];
export type Overlap = 'skip' | 'queue' | 'allow' | 'cancel_previous';
export type Misfire = 'skip' | 'run_once' | 'run_all';
export type SessionMode = 'new' | 'persistent';
export type AssistantKind = 'http' | 'llm' | 'module' | 'agentos' | 'langgraph' | 'a2a';

export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
  /** Keyset paging (the schedule list): pass back as `cursor` for the next page; null on the last. */
  next_cursor?: string | null;
}

export interface ScheduleSpec {
  kind?: 'cron' | 'once' | 'interval';
  cron?: string | null;
  at?: string | null;
  every?: string | number | null;
  timezone?: string;
}

export interface RetryPolicy {
  max_attempts?: number;
  backoff?: { initial_s?: number; factor?: number; max_s?: number } | string | null;
}

export interface Schedule {
  id: string;
  name: string;
  alert_on_tokens_per_day?: number | null;
  assistant_id?: string | null;
  workflow_id?: string | null;
  thread_id?: string | null;
  schedule: ScheduleSpec;
  /** The schedule in words ("At 09:00, Monday through Friday", "Every 15 minutes", "Once at …"). */
  description?: string | null;
  input_template?: unknown;
  session_mode?: SessionMode;
  on_run_completed?: 'delete' | 'keep';
  max_concurrent?: number;
  overlap?: Overlap;
  skip_if_running?: boolean;
  timeout?: number | string | null;
  retry?: RetryPolicy | null;
  misfire?: Misfire;
  catchup_window?: number | string | null;
  jitter?: number | string | null;
  start_at?: string | null;
  end_at?: string | null;
  max_runs?: number | null;
  enabled: boolean;
  /** `active`, `paused` or `completed` (a one-time schedule that fired, or past its end). */
  status?: 'active' | 'paused' | 'completed' | string;
  metadata?: Record<string, unknown>;
  /** Extra run configuration (where the LangGraph payload's `config`, `context`, … are kept). */
  config?: Record<string, unknown>;
  alert_after?: number;
  next_run_at?: string | null;
  last_run_at?: string | null;
  last_run_status?: RunStatus | string | null;
  consecutive_failures?: number;
  run_count?: number;
  /** DST policy as given; null keeps the Vixie rules (fixed: first + shift, wild: both + skip). */
  dst?: DstPolicy | null;
  /** Wall-clock dates (YYYY-MM-DD in the schedule's zone) whose occurrences are skipped. */
  exclude_dates?: string[];
  excluded_count?: number;
  missed_count?: number;
  /** Set when an llm assistant created it with the scheduler tools; null when its owner did. */
  created_by?: { kind: 'agent'; run_id: string; assistant_id: string } | null;
  created_at?: string;
  updated_at?: string;
  owner_id?: string;
  /** Who manages it: `api`, `config` (declared in the config file) or `apply` (upserted by name). */
  source?: 'api' | 'config' | 'apply' | string;
  /** Why a managed schedule differs from its declaration (e.g. paused: removed from the config file). */
  source_note?: string | null;
  /** Pauses itself when this many runs in a row failed; null = never. */
  pause_after_failures?: number | null;
  /** While paused: when, by whom (null: automatically) and why. */
  paused?: { at: string; by: string | null; note: string | null } | null;
}

/** What a backfill created, or with `dry_run` would create. */
export interface BackfillResult {
  schedule_id: string;
  from: string;
  to: string;
  dry_run: boolean;
  occurrences: number;
  existing: number;
  runs: number;
  scheduled_for: string[];
  run_ids: string[];
}

export interface ScheduleStats {
  window?: string;
  total?: number;
  success_rate?: number | null;
  counts?: Partial<Record<RunStatus, number>>;
  by_status?: Partial<Record<RunStatus, number>>;
  by_reason?: Partial<Record<FailureReason, number>>;
  window_ms?: number;
  consecutive_failures?: number;
  duration_ms?: { p50?: number | null; p95?: number | null };
  p50_duration_ms?: number | null;
  p95_duration_ms?: number | null;
  last_run?: Run | null;
  last_run_at?: string | null;
  next_run_at?: string | null;
}

export interface DstPolicy {
  repeated?: 'first' | 'last' | 'both';
  skipped?: 'shift' | 'skip';
}

/** What the zone's next offset change does to a cron schedule (the preview's `dst`). */
export interface DstEffect {
  at: string;
  kind: 'forward' | 'backward';
  jump_minutes: number;
  clock_change: boolean;
  policy: Required<DstPolicy>;
  affected: number;
  fires: string[];
  effect: string;
}

export interface Preview {
  times?: string[];
  description?: string | null;
  timezone?: string;
  /** Upcoming occurrences that exclude_dates skips. */
  excluded?: string[];
  dst?: DstEffect | null;
}

/** The parts of a schedule besides its spec that change what a preview shows. */
export interface PreviewExtras {
  dst?: DstPolicy | null;
  exclude_dates?: string[];
}

export interface Run {
  id: string;
  schedule_id?: string | null;
  /** The name of a deleted schedule (schedule_id is then null). */
  schedule_name?: string | null;
  assistant_id?: string | null;
  workflow_id?: string | null;
  thread_id?: string | null;
  /** The agent server's session, thread or context id (agentos, langgraph, a2a). */
  remote_session_id?: string | null;
  trigger?: Trigger;
  scheduled_for?: string | null;
  not_before?: string | null;
  run_number?: number | null;
  input?: unknown;
  status: RunStatus;
  error_kind?: FailureReason | null;
  error?: string | null;
  output?: unknown;
  attempt?: number;
  max_attempts?: number;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  duration_ms?: number | null;
  /** Token usage the assistant reported (llm, module recordUsage, an http agent's `usage`). */
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; model?: string } | null;
  events?: RunEvent[];
  /** The workflow version the run pinned (workflow runs only). */
  workflow_version?: number | null;
  /** A workflow run's nodes as a tree, recorded as each starts and ends; `[]` for assistant runs. */
  steps?: RunStep[];
}

export type StepStatus = 'running' | 'success' | 'error' | 'skipped' | 'cancelled';
export type NodeType = 'step' | 'parallel' | 'loop' | 'router' | 'condition';

/** One node of a workflow run; `key` is unique within the run (path plus loop iterations). */
export interface RunStep {
  key: string;
  path: string;
  name: string;
  type: NodeType | string;
  status: StepStatus | string;
  attempt?: number;
  iteration?: number | null;
  started_at?: string | null;
  finished_at?: string | null;
  duration_ms?: number | null;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  children?: RunStep[];
}

/** A node of a workflow definition as stored (loose: the server validated it). */
export interface WorkflowNode {
  type: NodeType | string;
  name: string;
  assistant_id?: string;
  module?: string;
  workflow_id?: string;
  input?: unknown;
  timeout?: number;
  skip_on_failure?: boolean;
  fail_fast?: boolean;
  end_condition?: string;
  max_iterations?: number;
  selector?: string;
  evaluator?: string;
  steps?: WorkflowNode[];
  else_steps?: WorkflowNode[];
  choices?: WorkflowNode[];
  [key: string]: unknown;
}

export interface Workflow {
  id: string;
  name: string;
  description?: string | null;
  owner_id?: string;
  status: 'active' | 'inactive';
  version: number;
  source?: 'api' | 'config';
  definition: { name: string; description?: string; steps: WorkflowNode[]; metadata?: Record<string, unknown> };
  metadata?: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
}

export interface UsageSums {
  runs: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens: number;
  cost: number | null;
  unpriced_tokens: number;
}

/** GET /schedules/{id}/usage: tokens per day in the schedule's zone, money by the server's price table. */
export interface ScheduleUsage {
  schedule_id: string;
  timezone: string;
  since: string;
  days: Array<UsageSums & { day: string }>;
  total: UsageSums;
  priced: boolean;
}

export interface RunEvent {
  seq?: number;
  at: string;
  kind: string;
  data?: unknown;
}

export interface Assistant {
  id: string;
  name: string;
  description?: string | null;
  kind: AssistantKind;
  config: Record<string, unknown>;
  status: 'active' | 'inactive';
  graph_id?: string | null;
  built_in?: boolean;
  metadata?: Record<string, unknown>;
  /** Runs of it at once across replicas; null: no limit. */
  max_concurrent?: number | null;
  /** Runs of it started in any 60 seconds; null: no limit. */
  rate_limit?: number | null;
  created_at?: string;
  updated_at?: string;
}

export interface ThreadMessage {
  seq?: number;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: unknown;
  run_id?: string | null;
  created_at?: string;
}

export interface Thread {
  id: string;
  assistant_id?: string | null;
  status?: string;
  metadata?: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
  messages?: ThreadMessage[];
}

export interface Me {
  id: string;
  name: string;
  role: 'admin' | 'member' | 'viewer';
}

/** An inbound trigger (`/api/v1/triggers`): its URL's signed deliveries become `event` runs. */
export interface InboundTrigger {
  id: string;
  name: string;
  owner_id: string;
  assistant_id: string | null;
  workflow_id: string | null;
  /** `/hooks/{id}`, or absolute when the server has KAIROS_PUBLIC_URL. */
  url: string;
  input_template: unknown;
  auth: {
    type: 'hmac-sha256' | 'bearer';
    header?: string;
    format?: string;
    secret?: { env: string };
    token?: { env: string };
  };
  delivery_header: string | null;
  overlap: Overlap;
  max_concurrent: number;
  rate_limit: { max: number; per_s: number } | null;
  enabled: boolean;
  /** Whether deliveries can be accepted on this server (its secret's variable is set). */
  ready?: boolean;
  not_ready_reason?: string | null;
  deliveries: Record<string, number | undefined> & { total: number };
  last_delivery_at: string | null;
  created_at: string;
}

export type DeliveryOutcome =
  | 'accepted'
  | 'replayed'
  | 'unauthorized'
  | 'rate_limited'
  | 'too_large'
  | 'invalid'
  | 'disabled'
  | 'misconfigured'
  | 'unavailable';

/** One request to a trigger's URL, accepted or refused. */
export interface TriggerDelivery {
  id: string;
  trigger_id: string;
  received_at: string;
  outcome: DeliveryOutcome;
  http_status: number;
  reason: string | null;
  delivery_key: string | null;
  run_id: string | null;
  run_status: RunStatus | null;
}

/** One request a test call sent and its answer (secrets shown as [redacted]). */
export interface AgentExchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

/** What POST /api/v1/assistants/test answers. */
export interface TestCallResult {
  ok: boolean;
  output: unknown;
  error: { kind: string; message: string } | null;
  duration_ms: number;
  exchanges: AgentExchange[];
  events: Array<{ kind: string; data: unknown }>;
}
