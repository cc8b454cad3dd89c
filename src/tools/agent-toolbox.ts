import type { AgentToolbox } from '../agents/agent-toolbox.ts';
import type { Logger } from '../logger.ts';
import { callTool } from './call-tool.ts';
import type { ToolServices } from './tool-definition.ts';
import { toolSets } from './tool-list.ts';
import { functionTool } from './tool-schema.ts';

/**
 * The scheduler tools for Kairos's own llm assistants: calls act as the run's owner (with the
 * owner's role, so the same checks as that user's key) and record the calling assistant, so that
 * a schedule created without a target fires the assistant itself and carries `created_by`.
 */
export function createAgentToolbox(services: ToolServices, logger?: Logger): AgentToolbox {
  return {
    sets: Object.keys(toolSets),
    functions: (sets) => [...new Set(sets)].flatMap((set) => (toolSets[set] ?? []).map(functionTool)),
    async call(name, args, caller) {
      const result = await callTool(
        name,
        args,
        {
          actor: { userId: caller.ownerId, role: caller.ownerRole },
          services,
          agent: { runId: caller.runId, assistantId: caller.assistantId, defaultTimezone: caller.defaultTimezone },
        },
        logger,
      );
      return { ok: result.ok, value: result.value };
    },
  };
}
