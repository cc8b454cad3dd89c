import type { z } from 'zod';
import type { AssistantService } from '../agents/assistant-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { ScheduleService } from '../scheduler/schedule-service.ts';
import type { RunService } from '../worker/run-service.ts';
import type { WorkflowService } from '../workflows/workflow-service.ts';
import type { WaitService } from '../waits/wait-service.ts';

/** The services a tool calls; the same instances the API's routes call. */
export interface ToolServices {
  schedules: ScheduleService;
  runs: RunService;
  assistants: AssistantService;
  workflows: WorkflowService;
  waits: WaitService;
}

/** The Kairos llm assistant calling a tool during one of its runs (absent for MCP and HTTP callers). */
export interface CallingAgent {
  runId: string;
  assistantId: string;
  /** `config.default_timezone` of the assistant: the zone of schedules it creates without one. */
  defaultTimezone: string;
}

/** Who calls a tool and through what: every tool acts as `actor`, with that user's rights and no more. */
export interface ToolContext {
  actor: Actor;
  services: ToolServices;
  agent?: CallingAgent;
}

/**
 * One scheduler tool: a name, a description written for a model, zod parameters (the API's
 * schemas with model-facing descriptions), and a call into the services as the calling user.
 * `run` gets the arguments as sent, once they passed `parameters`; it throws KairosError for
 * problems the caller can fix, which the adapters turn into `{"error": …}` results.
 */
export interface ToolDefinition<Parameters extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  parameters: Parameters;
  /** Whether the tool changes anything (MCP's readOnlyHint is its negation). */
  writes: boolean;
  run(context: ToolContext, args: z.input<Parameters>): Promise<unknown>;
}

/** Declares a tool with its argument types inferred from `parameters`. */
export function defineTool<Parameters extends z.ZodObject>(tool: ToolDefinition<Parameters>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}
