import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../../logger.ts';
import { callTool } from '../../tools/call-tool.ts';
import type { ToolServices } from '../../tools/tool-definition.ts';
import { functionTool } from '../../tools/tool-schema.ts';
import { schedulerTools } from '../../tools/tool-list.ts';
import { apiRoute, json } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { FunctionToolList, ToolArguments, ToolOutput, ToolParams } from '../schemas/tools.ts';

const tags = ['tools'];

export const toolRoutes = {
  list: apiRoute({
    method: 'get',
    path: '/api/v1/tools',
    tags,
    summary: 'The scheduler tools as OpenAI function-calling schemas (`tools: [{type: "function", function: {…}}]`)',
    responses: { 200: json(FunctionToolList, 'The tools') },
  }),
  call: apiRoute({
    method: 'post',
    path: '/api/v1/tools/{name}',
    tags,
    summary:
      "Execute one tool as the key's user; the body is its arguments. A refusal answers its status with the `{error}` body to hand to the model",
    request: {
      params: ToolParams,
      body: { required: false, content: { 'application/json': { schema: ToolArguments } } },
    },
    responses: { 200: json(ToolOutput, "The tool's result") },
    extraErrors: {
      404: 'No such tool (`tool_not_found`), or the schedule is not yours (`not_found`)',
      409: 'Name taken (`name_taken`)',
      429: 'The per-user schedule cap (`schedule_cap_reached`)',
    },
  }),
};

/** `GET /api/v1/tools` and `POST /api/v1/tools/{name}`: the tool set for any agent framework. */
export function registerToolRoutes(app: OpenAPIHono<ApiEnv>, services: ToolServices, logger: Logger): void {
  app.openapi(toolRoutes.list, (c) => c.json({ tools: schedulerTools.map(functionTool) }, 200));
  app.openapi(toolRoutes.call, async (c) => {
    const result = await callTool(
      c.req.valid('param').name,
      c.req.valid('json') ?? {},
      { actor: c.var.actor, services },
      logger,
    );
    // The body is the tool result either way, so a framework can pass it to the model as it is.
    if (!result.ok) return c.json(result.value, result.status as ContentfulStatusCode) as never;
    return c.json(result.value, 200);
  });
}
