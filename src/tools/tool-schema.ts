import { z } from 'zod';
import type { ToolDefinition } from './tool-definition.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Makes a generated JSON Schema plain for models and MCP clients: no `$schema`, recursive JSON
 * values (`$defs`) as "any value", and no regex `pattern` where a `format` already says it
 * (date-time, uuid): the long patterns zod emits cost tokens and say nothing more.
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as JsonSchema;
  if (typeof object.$ref === 'string' && object.$ref.startsWith('#/$defs/')) return {};
  return Object.fromEntries(
    Object.entries(object)
      .filter(
        ([key]) => key !== '$schema' && key !== '$defs' && !(key === 'pattern' && typeof object.format === 'string'),
      )
      .map(([key, child]) => [key, plain(child)]),
  );
}

/** The JSON Schema of a tool's parameters (what it accepts as input), an object schema. */
export function toolInputSchema(tool: ToolDefinition): JsonSchema & { type: 'object' } {
  return plain(z.toJSONSchema(tool.parameters, { io: 'input', unrepresentable: 'any' })) as JsonSchema & {
    type: 'object';
  };
}

/** A tool in OpenAI's function-calling shape. */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchema };
}

/** `tools: [{type: "function", function: {name, description, parameters}}]` for chat-completions APIs. */
export function functionTool(tool: ToolDefinition): FunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: toolInputSchema(tool) },
  };
}
