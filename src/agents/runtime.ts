import type { UserRole } from '../auth/actor.ts';
import type { AgentExchange } from './agent-exchange.ts';
import type { Logger } from '../logger.ts';
import type { Trigger } from '../runs/run-status.ts';
import type { Assistant, AssistantKind } from '../store/assistants.ts';
import type { MessageRole } from '../store/messages.ts';
import type { AgentToolbox } from './agent-toolbox.ts';
import type { JournalEvent } from './llm-journal.ts';
import type { AgentWaits } from './agent-waits.ts';

/** Kinds that keep the conversation on a remote agent server (its session, thread or context id). */
export const remoteSessionKinds: ReadonlySet<AssistantKind> = new Set(['agentos', 'langgraph', 'a2a']);

/** The assistant and its kinds are stored rows (src/store/assistants.ts); the runtimes use them from here. */
export { assistantKinds, type Assistant, type AssistantKind } from '../store/assistants.ts';
export type { MessageRole } from '../store/messages.ts';

export interface ThreadMessage {
  role: MessageRole;
  content: unknown;
  runId: string | null;
}

/**
 * The remote conversation of an agent-server kind (agentos, langgraph, a2a): the id the remote
 * server knows it by (an AgentOS session, a LangGraph thread, an A2A context), kept on the run's
 * Kairos thread per assistant so that the next run of a persistent session continues it.
 */
export interface RemoteSession {
  /** The id kept from an earlier run of this thread and assistant; null on first use or when stateless. */
  readonly id: string | null;
  /** Whether the run continues a thread (persistent or thread-bound); only then is an id kept for later. */
  readonly persistent: boolean;
  /**
   * Records the id the remote server uses on the run (shown as `remote_session_id`) and, when
   * persistent, on the thread. The first id kept for a thread wins: the kept id is returned.
   */
  keep(id: string): Promise<string>;
}

/** The schedule a run belongs to, for templates that use its name or zone. */
export interface RunSchedule {
  id: string;
  name: string;
  timezone: string;
}

/** What one execution of an assistant gets: the run's identity, its input, history and a signal. */
export interface RunContext {
  runId: string;
  /**
   * The key that identifies this call across retries and recoveries: the run id, or for a step
   * of a workflow `<run id>:<step key>` (run id, step path, iteration). Sent as `Idempotency-Key`.
   */
  idempotencyKey?: string;
  scheduleId: string | null;
  scheduledFor: Date | null;
  trigger: Trigger;
  runNumber: number | null;
  attempt: number;
  threadId: string | null;
  /** The user the run acts as (the schedule's owner, or the caller of an api run). */
  ownerId?: string;
  /** That user's role, as checked when the run started (what tool calls act with). */
  ownerRole?: UserRole;
  /** The tools an assistant may be given (`config.tools` of llm assistants); absent when none are wired. */
  tools?: AgentToolbox;
  input: unknown;
  /**
   * The LangGraph `config` applied to the run (`configurable`, `tags`, `recursion_limit`, …): a
   * LangGraph cron's payload `config`, kept with its schedule, or the run's own (which wins). Absent when none.
   */
  config?: Record<string, unknown>;
  /** The LangGraph `context` applied to the run (its own, else a cron's payload `context`); absent when none. */
  context?: unknown;
  /** The run's schedule (http assistants with request templates get it; absent otherwise). */
  schedule?: RunSchedule;
  /** The remote conversation (agent-server kinds only). */
  remoteSession?: RemoteSession;
  /**
   * The run's trace so far (earlier attempts' events): an llm run with tools reads its journal
   * from it to resume without asking the model again or repeating tool calls. Absent: no journal.
   */
  journal?: () => Promise<JournalEvent[]>;
  /**
   * How the runtime parks the run on an approval, event or timer and finds the ended wait when the
   * run resumes (agent-waits.ts). Absent where a run cannot wait (a workflow step, a test call).
   */
  waits?: AgentWaits;
  /** The run's `tokens_per_run` budget (the least of its schedule's, assistant's and owner's); absent: none. */
  tokensPerRun?: number;
  /** Earlier messages of the run's thread (bounded), oldest first; empty for a fresh thread. */
  history: ThreadMessage[];
  /** Aborted on timeout, cancellation or shutdown; runtimes must stop promptly when it fires. */
  signal: AbortSignal;
  logger: Logger;
  /** Appends an event to the run's trace (steps, tool calls, provider responses). */
  emit(kind: string, data?: unknown): Promise<void>;
  /**
   * Set by a "test call" only: receives every request the runtime sends and its answer, secrets
   * redacted (see agent-exchange.ts). Runtimes report through `reportExchange`.
   */
  onExchange?: (exchange: AgentExchange) => void;
}

export interface RunResult {
  output: unknown;
  /** The thread the run used, when execution created or chose one (recorded on the run). */
  threadId?: string | null;
  /** Token usage, as the provider reported it; `model` prices it (KAIROS_PRICING). */
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; model?: string } | undefined;
}

/** One kind of assistant (http, llm, module, …): turns a run's input into an output. */
export interface AssistantRuntime {
  readonly kind: Assistant['kind'];
  run(assistant: Assistant, context: RunContext): Promise<RunResult>;
}
