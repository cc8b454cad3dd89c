import { invalid } from '../errors.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { toolInputSchema } from './tool-schema.ts';

const looksLikeJson = (value: unknown): value is string =>
  typeof value === 'string' && /^\s*[[{]/.test(value) && /[\]}]\s*$/.test(value);

/** Arguments that take text too, yet never text that starts with `{` or `[` (a cron expression). */
const neverJsonText = new Set(['schedule']);

/**
 * Some MCP clients send an object argument as a JSON string (`"schedule": "{\"cron\": …}"`).
 * A top-level string that reads as a JSON object or array is parsed where the argument takes no
 * text (or never such text: `schedule`); one that does not parse is refused naming the argument,
 * rather than taken for what it is not (a cron). Text arguments (`input_template`) stay as given.
 */
export function parseJsonStringArguments(tool: ToolDefinition, args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  const properties = (toolInputSchema(tool).properties ?? {}) as Record<string, { type?: unknown }>;
  const takesText = (key: string) => {
    const type = properties[key]?.type;
    return !neverJsonText.has(key) && (type === 'string' || (Array.isArray(type) && type.includes('string')));
  };
  let parsed: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(args)) {
    if (!looksLikeJson(value) || !(key in properties) || takesText(key)) continue;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch (error) {
      throw invalid(
        key,
        `a string that looks like JSON but does not parse (${(error as Error).message}); send ${key} as a JSON object, not a string`,
      );
    }
    parsed ??= { ...(args as Record<string, unknown>) };
    parsed[key] = json;
  }
  return parsed ?? args;
}
