import { createScheduleTool } from './create-schedule.ts';
import { decideApprovalTool } from './decide-approval.ts';
import { listPendingApprovalsTool } from './list-pending-approvals.ts';
import { sendEventTool } from './send-event.ts';
import { deleteScheduleTool } from './delete-schedule.ts';
import { getScheduleRunsTool } from './get-schedule-runs.ts';
import { getScheduleTool } from './get-schedule.ts';
import { listAssistantsTool } from './list-assistants.ts';
import { listSchedulesTool } from './list-schedules.ts';
import { listWorkflowsTool } from './list-workflows.ts';
import { pauseScheduleTool } from './pause-schedule.ts';
import { previewScheduleTool } from './preview-schedule.ts';
import { resumeScheduleTool } from './resume-schedule.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { triggerScheduleTool } from './trigger-schedule.ts';
import { updateScheduleTool } from './update-schedule.ts';

/**
 * The scheduler tools, in the order models see them. The MCP server, the function schemas of
 * `/api/v1/tools` and the llm tool loop all read this list, so a new tool is one file plus one
 * line here.
 */
export const schedulerTools: readonly ToolDefinition[] = Object.freeze([
  createScheduleTool,
  listSchedulesTool,
  getScheduleTool,
  updateScheduleTool,
  pauseScheduleTool,
  resumeScheduleTool,
  deleteScheduleTool,
  triggerScheduleTool,
  previewScheduleTool,
  getScheduleRunsTool,
  listAssistantsTool,
  listWorkflowsTool,
  listPendingApprovalsTool,
  decideApprovalTool,
  sendEventTool,
]);

/** The tool sets an llm assistant may name in `config.tools`. */
export const toolSets: Readonly<Record<string, readonly ToolDefinition[]>> = Object.freeze({
  schedules: schedulerTools,
});

export function findTool(name: string): ToolDefinition | undefined {
  return schedulerTools.find((tool) => tool.name === name);
}
