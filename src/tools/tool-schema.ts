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

const jsonTypes = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/** The `type` a schema allows, read from it or its `anyOf`/`oneOf` members; every type when it says nothing. */
function typesOf(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (schema.const !== undefined) return [schema.const === null ? 'null' : typeof schema.const];
  if (Array.isArray(schema.enum))
    return [...new Set((schema.enum as unknown[]).map((v) => (v === null ? 'null' : typeof v)))];
  const members = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(members)) {
    const types = members.map(typesOf);
    return types.some((t) => t.length === jsonTypes.length) ? jsonTypes : [...new Set(types.flat())];
  }
  return jsonTypes;
}

/**
 * Gives every property a `type` (some MCP clients and model APIs refuse a property without one):
 * a union gets the types of its members, "any value" every JSON type. Nested objects too.
 */
function typed(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(properties).map(([key, property]) => {
        const types = typesOf(property);
        const withType =
          property.type === undefined ? { ...property, type: types.length === 1 ? types[0] : types } : property;
        return [key, typed(withType)];
      }),
    ),
  };
}

/** The JSON Schema of a tool's parameters (what it accepts as input), an object schema; every property has a `type`. */
export function toolInputSchema(tool: ToolDefinition): JsonSchema & { type: 'object' } {
  return typed(
    plain(z.toJSONSchema(tool.parameters, { io: 'input', unrepresentable: 'any' })) as JsonSchema,
  ) as JsonSchema & {
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
