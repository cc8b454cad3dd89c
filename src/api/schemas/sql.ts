import { z } from '@hono/zod-openapi';

export const SqlQuery = z
  .strictObject({
    query: z
      .string()
      .min(1)
      .max(100_000)
      .openapi({ example: 'SELECT schedule_name, status FROM schedule_runs_v LIMIT 10' }),
    timeout_ms: z
      .number()
      .int()
      .min(1)
      .max(300_000)
      .optional()
      .openapi({ description: 'Statement timeout, default 10000' }),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .openapi({ description: 'At most this many rows, default 1000' }),
  })
  .openapi('SqlQuery');

export const SqlAnswer = z
  .object({
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), z.unknown())),
    row_count: z.number().int(),
    truncated: z.boolean(),
  })
  .openapi('SqlAnswer');

export type SqlQuery = z.infer<typeof SqlQuery>;
export type SqlAnswer = z.infer<typeof SqlAnswer>;
