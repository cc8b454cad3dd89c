import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { version } from '../version.ts';
import type { ToolResult } from './tool-result.ts';
import { toolInputSchema } from './tool-schema.ts';
import { schedulerTools } from './tool-list.ts';

/** Executes a tool call for the MCP server: in process as one actor, or through a Kairos server's API. */
export type ToolCaller = (name: string, args: unknown) => Promise<ToolResult>;

const instructions =
  "Kairos schedules assistants on cron expressions, one-time dates and intervals. Times are wall-clock in the schedule's IANA " +
  'timezone. Use preview_schedule to check a schedule, list_assistants to find what to run, then create_schedule. ' +
  'Errors come back as {"error": {"code", "message", "details"}}: the message names the field to fix.';

function mcpTool(tool: (typeof schedulerTools)[number]): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: toolInputSchema(tool),
    annotations: { readOnlyHint: !tool.writes, destructiveHint: tool.name === 'delete_schedule', openWorldHint: false },
  };
}

/**
 * A tool result for MCP: the JSON as text (for models) and as `structuredContent` (for programs;
 * an object, so a list or a scalar is `{"result": …}`); refusals flagged `isError`.
 */
export function mcpResult(result: ToolResult): CallToolResult {
  const value = result.value;
  const structured =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { result: value };
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: structured,
    ...(result.ok ? {} : { isError: true }),
  };
}

/**
 * The scheduler tools as an MCP server (tools/list, tools/call) over any transport. Built with the
 * SDK's low-level `Server` because the tools already carry their JSON Schema and their own
 * validation, which must answer in the API's error shape rather than the SDK's.
 *
 * @example
 * const server = createMcpServer((name, args) => callTool(name, args, { actor, services }));
 * await server.connect(new StdioServerTransport());
 */
export function createMcpServer(call: ToolCaller): Server {
  const server = new Server(
    { name: 'kairos', title: 'Kairos scheduler', version },
    { capabilities: { tools: {} }, instructions },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: schedulerTools.map(mcpTool) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) =>
    mcpResult(await call(request.params.name, request.params.arguments ?? {})),
  );
  return server;
}
