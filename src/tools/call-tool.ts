import { KairosError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseScheduleInput } from '../scheduler/schedule-input.ts';
import type { ToolContext } from './tool-definition.ts';
import { parseJsonStringArguments } from './json-string-arguments.ts';
import { findTool } from './tool-list.ts';
import { toolErrorOf, type ToolResult } from './tool-result.ts';

/**
 * Calls a scheduler tool by name as `context.actor`. Never throws: unknown tools, bad arguments
 * and refusals (`forbidden`, `not_found`, an invalid cron, the per-user cap) come back as
 * `{"error": {"code", "message", "details"}}` with the HTTP status the API would answer.
 *
 * @example
 * const result = await callTool('preview_schedule', { schedule: '0 9 * * 1-5', count: 3 }, { actor, services });
 * if (result.ok) result.value // { times: [...], description: 'At 09:00, Monday through Friday' }
 */
export async function callTool(
  name: string,
  args: unknown,
  context: ToolContext,
  logger?: Logger,
): Promise<ToolResult> {
  try {
    const tool = findTool(name);
    if (!tool) {
      throw new KairosError(
        'tool_not_found',
        `there is no tool "${name}"; list the tools (GET /api/v1/tools or MCP tools/list) for their names`,
        {
          status: 404,
          details: { name },
        },
      );
    }
    const input = parseJsonStringArguments(tool, args ?? {});
    parseScheduleInput(tool.parameters, input); // the first problem names its field, as the API does
    return { ok: true, value: (await tool.run(context, input as never)) ?? null };
  } catch (error) {
    return { ok: false, ...toolErrorOf(error, logger) };
  }
}
