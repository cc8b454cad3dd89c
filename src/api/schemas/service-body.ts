import { z } from '@hono/zod-openapi';

type JsonSchema = Record<string, unknown>;

/** Drops what an OpenAPI document cannot hold inline: `$schema`, `$defs` and refs into them. */
function inline(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inline);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as JsonSchema;
  if (typeof object.$ref === 'string' && object.$ref.startsWith('#/$defs/')) return {}; // recursive JSON: any value
  return Object.fromEntries(
    Object.entries(object)
      .filter(([key]) => key !== '$schema' && key !== '$defs' && key !== 'id')
      .map(([key, child]) => [key, inline(child)]),
  );
}

/**
 * A request body validated by a service's own zod schema (strict, with its field-naming errors):
 * the route only checks that the body is a JSON object, and documents it with the JSON Schema
 * generated from the service's schema, so the document cannot drift from what is enforced.
 */
export function serviceBody(schema: z.ZodType, name: string) {
  const documented = inline(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as JsonSchema;
  return z.record(z.string(), z.unknown()).openapi(name, documented);
}
