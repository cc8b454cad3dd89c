import type { UserRole } from '../auth/actor.ts';

/** A function the model may call, in the chat-completions `tools` shape. */
export interface ChatFunction {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** Whom a tool call acts for: the run's owner, on behalf of the assistant running it. */
export interface ToolCaller {
  ownerId: string;
  ownerRole: UserRole;
  runId: string;
  assistantId: string;
  /** The zone of schedules the assistant creates without one (`config.default_timezone`, else UTC). */
  defaultTimezone: string;
  /** `<run>:<turn>:<call>`: the same when a retried or recovered run makes the same call again. */
  idempotencyKey?: string;
}

/**
 * The tools an llm assistant may be given (`config.tools`), as src/agents sees them: the runtime
 * only needs their schemas and a way to call them. src/tools implements it over the services;
 * the composition root hands it to the execution deps, so the agents never import the tools.
 */
export interface AgentToolbox {
  /** The known set names (`schedules`). */
  readonly sets: readonly string[];
  /** The functions of the named sets. */
  functions(sets: readonly string[]): ChatFunction[];
  /** Executes one call; refusals are results (`{"error": …}`), never thrown. */
  call(name: string, args: unknown, caller: ToolCaller): Promise<{ ok: boolean; value: unknown }>;
}
