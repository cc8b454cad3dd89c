import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';

const sums = {
  runs: z.number().int().openapi({ description: 'Runs that recorded usage' }),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  tokens: z.number().int(),
  cost: z.number().nullable().openapi({ description: 'Money by the price table (KAIROS_PRICING); null without one' }),
  unpriced_tokens: z.number().int().openapi({ description: 'Tokens the price table has no price for' }),
};

export const ScheduleUsage = z
  .object({
    schedule_id: z.string(),
    timezone: z.string(),
    since: Timestamp,
    days: z.array(z.object({ day: z.string().openapi({ example: '2026-12-01' }), ...sums })),
    total: z.object(sums),
    priced: z.boolean(),
    budgets: z
      .array(
        z.object({
          scope: z.enum(['schedule', 'assistant', 'user']),
          period: z.enum(['day', 'month']),
          limit: z.number(),
          spent: z.number(),
          unit: z.enum(['tokens', 'usd']),
          key: z.enum(['tokens_per_day', 'usd_per_day', 'usd_per_month']),
          on_exceed: z.enum(['stop', 'pause', 'ask']),
        }),
      )
      .openapi({
        description:
          "Spend against each day and month budget that applies to the schedule's runs: its own, its assistant's, its owner's (docs/gates.md)",
      }),
  })
  .openapi('ScheduleUsage');

export const ScheduleUsageQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30).openapi({ description: 'Days back from now (default 30)' }),
});

export type ScheduleUsage = z.infer<typeof ScheduleUsage>;
