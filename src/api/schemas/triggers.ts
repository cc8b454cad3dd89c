import { z } from '@hono/zod-openapi';
import { deliveryOutcomes } from '../../store/trigger-deliveries.ts';
import { triggerCreateSchema, triggerUpdateSchema } from '../../triggers/trigger-input.ts';
import { PageQuery, Timestamp, pageOf, queryBoolean } from './common.ts';
import { Run } from './runs.ts';
import { serviceBody } from './service-body.ts';

export const TriggerCreate = serviceBody(triggerCreateSchema, 'TriggerCreate');
export const TriggerUpdate = serviceBody(triggerUpdateSchema, 'TriggerUpdate');

export const Trigger = z
  .object({
    id: z.string(),
    name: z.string(),
    owner_id: z.string(),
    assistant_id: z.string().nullable(),
    workflow_id: z.string().nullable(),
    url: z
      .string()
      .openapi({ description: 'Where senders POST deliveries: /hooks/{id} (absolute when KAIROS_PUBLIC_URL is set)' }),
    input_template: z.unknown(),
    auth: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The scheme, its header and the env variable that holds the secret, never the secret' }),
    delivery_header: z.string().nullable(),
    overlap: z.enum(['skip', 'queue', 'allow', 'cancel_previous']),
    max_concurrent: z.number().int(),
    concurrency: z
      .object({ key: z.string(), limit: z.number().int(), strategy: z.enum(['queue', 'skip', 'cancel_oldest']) })
      .nullable()
      .openapi({ description: 'At most `limit` runs per rendered key at once (docs/gates.md); null: none' }),
    priority: z.number().int().openapi({ description: '1 (first) to 5: when runs wait for slots (default 3)' }),
    timeout: z.number().nullable(),
    rate_limit: z.object({ max: z.number().int(), per_s: z.number() }).nullable(),
    debounce: z
      .object({
        period: z.string().openapi({ description: 'e.g. "30s"' }),
        period_ms: z.number().int(),
        key: z.string().nullable().openapi({ description: 'The key template; null: one key for the whole trigger' }),
      })
      .nullable()
      .openapi({
        description:
          'A burst of deliveries per key becomes one run with the last input, started `period` after the last delivery; null: none',
      }),
    enabled: z.boolean(),
    ready: z.boolean().openapi({
      description: "Whether deliveries can be accepted on this server: enabled, with its secret's variable set",
    }),
    not_ready_reason: z.string().nullable().openapi({ description: 'Why it is not ready; null when ready' }),
    metadata: z.record(z.string(), z.unknown()),
    precheck: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "A cheap check before each delivery's run (docs/gates.md)" }),
    deliveries: z.record(z.string(), z.number()).openapi({ description: 'Deliveries so far per outcome, and `total`' }),
    last_delivery_at: Timestamp.nullable(),
    version: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Trigger');

export const TriggerListQuery = PageQuery.extend({
  assistant_id: z.string().optional(),
  workflow_id: z.string().optional(),
  owner_id: z.string().optional().openapi({ description: "Admins: one user's triggers" }),
  enabled: queryBoolean.optional(),
});

export const TriggerList = pageOf(Trigger, 'TriggerList');

export const Delivery = z
  .object({
    id: z.string(),
    trigger_id: z.string(),
    received_at: Timestamp,
    outcome: z.enum(deliveryOutcomes),
    http_status: z.number().int(),
    reason: z.string().nullable(),
    delivery_key: z.string().nullable(),
    run_id: z.string().nullable(),
    run_status: z.string().nullable(),
    body_bytes: z.number().int(),
  })
  .openapi('TriggerDelivery');

export const DeliveryListQuery = PageQuery.extend({ outcome: z.enum(deliveryOutcomes).optional() });
export const DeliveryList = pageOf(Delivery, 'TriggerDeliveryList');

export const HookQuery = z
  .object({
    wait: z
      .string()
      .optional()
      .openapi({ description: 'Seconds (up to 300) to wait for the run to finish before answering' }),
  })
  .catchall(z.string());

export const HookAnswer = z
  .object({
    delivery_id: z.string(),
    run_id: z.string().nullable(),
    replayed: z.boolean(),
    first_delivery_id: z.string().nullable().optional(),
    run: Run.nullable(),
    debounced: z
      .boolean()
      .optional()
      .openapi({ description: 'True when a debounced trigger held the delivery: its run starts later' }),
    debounce: z
      .object({ key: z.string(), due_at: Timestamp, deliveries: z.number().int() })
      .optional()
      .openapi({ description: "A held delivery's debounce key, when its run is due now, and the burst's size" }),
  })
  .openapi('HookAnswer');

export type Trigger = z.infer<typeof Trigger>;
export type TriggerCreate = z.input<typeof triggerCreateSchema>;
export type TriggerUpdate = z.input<typeof triggerUpdateSchema>;
export type TriggerList = z.infer<typeof TriggerList>;
export type Delivery = z.infer<typeof Delivery>;
export type DeliveryList = z.infer<typeof DeliveryList>;
export type HookAnswer = z.infer<typeof HookAnswer>;
