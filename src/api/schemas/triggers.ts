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
    timeout: z.number().nullable(),
    rate_limit: z.object({ max: z.number().int(), per_s: z.number() }).nullable(),
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
  })
  .openapi('HookAnswer');

export type Trigger = z.infer<typeof Trigger>;
export type TriggerCreate = z.input<typeof triggerCreateSchema>;
export type TriggerUpdate = z.input<typeof triggerUpdateSchema>;
export type TriggerList = z.infer<typeof TriggerList>;
export type Delivery = z.infer<typeof Delivery>;
export type DeliveryList = z.infer<typeof DeliveryList>;
export type HookAnswer = z.infer<typeof HookAnswer>;
