import { z } from '@hono/zod-openapi';

/** A query parameter carrying a JSON object, e.g. `?metadata={"team":"ops"}`. */
export const jsonObjectQuery = z
  .string()
  .transform((text, context) => {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"team":"ops"}' });
    return z.NEVER;
  })
  .openapi({ type: 'string', description: 'A JSON object; matches when every key equals', example: '{"team":"ops"}' });
