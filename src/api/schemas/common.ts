import { z } from '@hono/zod-openapi';

/** Ids are UUID-shaped text (any version: the built-in local admin is `…0001`). */
export const Id = z.guid();

export const IdParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: '00000000-0000-0000-0000-000000000001' }),
});

export const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2026-01-01T09:00:00.000Z' });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'name: Too small: expected string to have >=1 characters' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

/** `?limit&offset` paging: limit 1–1000 (default 50). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50).openapi({ example: 50 }),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0).openapi({ example: 0 }),
});

/** A page of a list: the items, the total matching, and the paging used. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({ data: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
    .openapi(name);
}

export const queryBoolean = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .openapi({ type: 'boolean' });

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A resource id in the path; ids of the wrong shape answer 404 like unknown ones. */
export const ResourceParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** A budget as the API shows it (docs/gates.md "Budgets"); bodies are validated by src/runs/budget.ts. */
export const BudgetView = z
  .object({
    tokens_per_run: z.number().int().optional(),
    tokens_per_day: z.number().int().optional(),
    usd_per_day: z.number().optional(),
    usd_per_month: z.number().optional(),
    on_exceed: z.enum(['stop', 'pause', 'ask']),
  })
  .openapi('Budget', {
    description: 'Token and dollar limits and what reaching a day or month limit does: stop, pause or ask',
  });
