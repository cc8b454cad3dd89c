import { z } from 'zod';
import { precheckSchema } from '../gates/precheck-spec.ts';
import { invalid, KairosError } from '../errors.ts';
import { deliveryOutcomes } from '../store/trigger-deliveries.ts';
import { triggerAuthSchema } from './trigger-auth.ts';
import { defaultTimeoutS, timeoutSchema } from '../runs/run-policy.ts';
import { concurrencySchema, prioritySchema } from '../runs/flow-control.ts';

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name, e.g. X-Request-Id')
  .transform((name) => name.toLowerCase());

const fields = {
  name: z.string().trim().min(1, 'may not be empty').max(200),
  /** An assistant id, or a graph id (its default assistant). */
  assistant_id: z.string().trim().min(1).max(200),
  workflow_id: z.uuid(),
  /** Any JSON; strings may use the event variables (docs/triggers.md). Null: the event body as it came. */
  input_template: z.json().nullable(),
  auth: triggerAuthSchema,
  /** A header that carries the sender's delivery id, besides X-GitHub-Delivery and Idempotency-Key. */
  delivery_header: headerName.nullable(),
  overlap: z.enum(['skip', 'queue', 'allow', 'cancel_previous']),
  max_concurrent: z.number().int().min(1).max(1000),
  /** Seconds; null: no timeout. */
  timeout: timeoutSchema,
  /** At most `max` accepted deliveries per `per_s` seconds, across replicas; null: no limit. */
  rate_limit: z
    .strictObject({ max: z.number().int().min(1).max(1_000_000), per_s: z.number().int().min(1).max(86_400) })
    .nullable(),
  /**
   * A burst of deliveries with the same key becomes one run with the last one's input, started once
   * `period` has passed without a new delivery (checked further in debounce-config.ts); null: none.
   */
  debounce: z
    .strictObject({
      period: z.union([z.string(), z.number()]),
      key: z.string().max(1000).nullable().optional(),
    })
    .nullable(),
  enabled: z.boolean(),
  metadata: z.record(z.string(), z.json()),
  /** At most `limit` runs per key ({{event.body…}} or {{input…}}) at once (docs/gates.md); null: none. */
  concurrency: concurrencySchema('input_or_event').nullable(),
  /** 1 (first) to 5: when runs wait for slots, lower numbers start first (default 3). */
  priority: prioritySchema,
  /** A cheap check before each delivery's run: false records it skipped (docs/gates.md); null: none. */
  precheck: precheckSchema.nullable(),
};

/** The body that creates a trigger. Strict: an unknown field is refused, never dropped. */
export const triggerCreateSchema = z
  .strictObject({
    ...fields,
    assistant_id: fields.assistant_id.optional(),
    workflow_id: fields.workflow_id.optional(),
    input_template: fields.input_template.optional(),
    delivery_header: fields.delivery_header.optional(),
    overlap: fields.overlap.default('allow'),
    max_concurrent: fields.max_concurrent.default(1),
    timeout: fields.timeout.default(defaultTimeoutS),
    rate_limit: fields.rate_limit.default({ max: 60, per_s: 60 }),
    debounce: fields.debounce.default(null),
    enabled: fields.enabled.default(true),
    metadata: fields.metadata.default({}),
    concurrency: fields.concurrency.optional(),
    priority: fields.priority.default(3),
    precheck: fields.precheck.optional(),
  })
  .refine((body) => (body.assistant_id === undefined) !== (body.workflow_id === undefined), {
    message: 'give exactly one of assistant_id and workflow_id: what each delivery runs',
    path: ['assistant_id'],
  });

/** A partial update: only the fields given change (`auth` is replaced whole). */
export const triggerUpdateSchema = z.strictObject(
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
  },
);

export const triggerListSchema = z.strictObject({
  assistant_id: z.uuid().optional(),
  workflow_id: z.uuid().optional(),
  owner_id: z.uuid().optional(),
  enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const deliveryListSchema = z.strictObject({
  outcome: z.enum(deliveryOutcomes).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export type TriggerCreateInput = z.input<typeof triggerCreateSchema>;
export type TriggerUpdateInput = z.input<typeof triggerUpdateSchema>;
export type TriggerListInput = z.input<typeof triggerListSchema>;
export type DeliveryListInput = z.input<typeof deliveryListSchema>;
export type ParsedTriggerCreate = z.output<typeof triggerCreateSchema>;
export type ParsedTriggerUpdate = z.output<typeof triggerUpdateSchema>;

function issueToError(issue: z.core.$ZodIssue): KairosError {
  const path = issue.path.map(String);
  const field = path.join('.');
  if (path[0] === 'debounce') {
    const what = issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : issue.message;
    return new KairosError(
      'invalid_debounce',
      `${field}: ${what}; give {"period": "30s", "key": "{{event.body.…}}"} (key optional) or null`,
      { status: 422, details: { field } },
    );
  }
  if (issue.code === 'unrecognized_keys') {
    const key = [...path, issue.keys[0] ?? ''].join('.');
    return invalid(key, `unknown field "${issue.keys[0]}"; see docs/triggers.md for the fields a trigger accepts`, {
      keys: issue.keys,
    });
  }
  if (field === 'auth' || (path[0] === 'auth' && issue.code === 'invalid_union')) {
    return invalid(
      'auth',
      'must be {"type": "hmac-sha256", "header": "X-Hub-Signature-256", "secret": {"env": "NAME"}} or {"type": "bearer", "token": {"env": "NAME"}}',
    );
  }
  if (path[0] === 'auth' && (path[1] === 'secret' || path[1] === 'token') && path.length === 2) {
    return invalid(
      field,
      'secrets are never stored: give the name of an environment variable of the server, {"env": "NAME"}',
    );
  }
  return invalid(field || '(body)', issue.message);
}

/** Parses with zod once, at the service edge; the first problem becomes `invalid_request` (422). */
export function parseTriggerInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw issueToError(parsed.error.issues[0]!);
  return parsed.data;
}
