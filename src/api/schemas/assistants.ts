import { z } from '@hono/zod-openapi';
import { assistantCreateSchema, assistantUpdateSchema } from '../../agents/assistant-service.ts';
import { assistantKinds } from '../../agents/runtime.ts';
import { BudgetView, PageQuery, Timestamp, pageOf, queryBoolean } from './common.ts';
import { jsonObjectQuery } from './json-query.ts';

const kinds = assistantKinds;

export const Assistant = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(kinds),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Secrets appear as env references, never values' }),
    status: z.enum(['active', 'inactive']),
    graph_id: z.string().nullable(),
    built_in: z.boolean(),
    owner_id: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    max_concurrent: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'At most this many runs of the assistant at once, across all replicas; null: no limit' }),
    rate_limit: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'At most this many runs of the assistant started in any 60 seconds; null: no limit' }),
    budget: BudgetView.nullable().openapi({
      description: 'Spending limits on its runs (docs/gates.md "Budgets"); null: none',
    }),
    provider: z.string().nullable().openapi({
      description:
        'The provider (of its owner) it names: its rpm/tpm/max_concurrent apply; an llm assistant takes its base_url and key (docs/gates.md)',
    }),
    version: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Assistant');

/** The bodies are the agents service's own schemas (created with plain zod, so documented inline): one definition validates, types and documents. */
export const AssistantCreate = assistantCreateSchema;
export const AssistantUpdate = assistantUpdateSchema;

export const AssistantListQuery = PageQuery.extend({
  kind: z.enum(kinds).optional(),
  status: z.enum(['active', 'inactive']).optional(),
  graph_id: z.string().min(1).optional(),
  name: z.string().min(1).optional().openapi({ description: 'Part of the name (case-insensitive)' }),
  metadata: jsonObjectQuery.optional(),
  built_in: queryBoolean.optional(),
});

export const AssistantList = pageOf(Assistant, 'AssistantList');

export type Assistant = z.infer<typeof Assistant>;
export type AssistantCreate = z.input<typeof AssistantCreate>;
export type AssistantUpdate = z.input<typeof AssistantUpdate>;
export type AssistantList = z.infer<typeof AssistantList>;

export const AssistantDeleteQuery = z
  .object({
    force: queryBoolean.optional().openapi({
      description:
        'delete the schedules and triggers that fire the assistant with it (workflows that call it still refuse)',
    }),
  })
  .openapi('AssistantDeleteQuery');
