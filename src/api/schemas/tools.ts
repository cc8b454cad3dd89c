import { z } from '@hono/zod-openapi';

export const FunctionToolList = z
  .object({
    tools: z.array(
      z.object({
        type: z.literal('function'),
        function: z.object({
          name: z.string().openapi({ example: 'create_schedule' }),
          description: z.string(),
          parameters: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of the arguments' }),
        }),
      }),
    ),
  })
  .openapi('FunctionToolList', { description: 'The scheduler tools in the OpenAI chat-completions `tools` shape' });

export const ToolParams = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'preview_schedule' }),
});

export const ToolArguments = z.record(z.string(), z.unknown()).openapi('ToolArguments', {
  description: "The tool's arguments (`function.arguments` of a tool call, parsed)",
  example: { schedule: '0 9 * * 1-5', count: 3 },
});

export const ToolOutput = z
  .unknown()
  .openapi('ToolOutput', { description: "The tool's JSON result (a schedule, a page of schedules, a preview, …)" });

export type FunctionToolList = z.infer<typeof FunctionToolList>;
