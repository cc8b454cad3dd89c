import { z } from '@hono/zod-openapi';
import { PageQuery, Timestamp, pageOf } from './common.ts';

/** `POST /api/v1/runs/{id}/decision`. */
export const DecisionBody = z
  .strictObject({
    approved: z.boolean(),
    comment: z.string().max(10_000).nullable().optional(),
    data: z.unknown().optional().openapi({ description: 'Any JSON the next nodes receive as `data`' }),
  })
  .openapi('Decision', { example: { approved: true, comment: 'ship it' } });

/** `POST /api/v1/events`. */
export const EventBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    payload: z.unknown().optional(),
    key: z
      .string()
      .max(1000)
      .nullable()
      .optional()
      .openapi({ description: 'A correlation value a wait’s `match` reads as `event.key`' }),
  })
  .openapi('Event', { example: { name: 'payment.received', key: 'order-42', payload: { amount: 12.5 } } });

export const EventAccepted = z
  .object({
    event_id: z.string(),
    matched: z.array(z.string()).openapi({ description: 'The runs this event woke now' }),
  })
  .openapi('EventAccepted');

export const Approval = z
  .object({
    run_id: z.string(),
    node: z.string(),
    prompt: z.string().nullable().openapi({ description: 'Rendered when the wait began' }),
    since: Timestamp,
    until: Timestamp.nullable(),
    workflow_id: z.string().nullable(),
    assistant_id: z.string().nullable(),
    schedule_id: z.string().nullable(),
    approvers: z.array(z.string()),
    status: z.enum(['pending', 'decided']),
    decision: z.unknown().openapi({ description: 'The decision (or the timeout’s); null while pending' }),
  })
  .openapi('Approval');

export const ApprovalListQuery = PageQuery.extend({
  status: z.enum(['pending', 'decided']).default('pending'),
});

export const ApprovalList = pageOf(Approval, 'ApprovalList');

export type Decision = z.input<typeof DecisionBody>;
export type EventSend = z.input<typeof EventBody>;
export type EventAccepted = z.infer<typeof EventAccepted>;
export type Approval = z.infer<typeof Approval>;
export type ApprovalList = z.infer<typeof ApprovalList>;

/** `POST /approvals/{token}` as JSON (a form post sends `decision=approve|reject` and `comment`). */
export const ApprovalLinkDecision = z
  .strictObject({ approved: z.boolean(), comment: z.string().max(10_000).nullable().optional() })
  .openapi('ApprovalLinkDecision', { example: { approved: true, comment: 'ship it' } });

/** What a signed approval link shows (`Accept: application/json`). */
export const ApprovalLinkView = z
  .object({
    run_id: z.string(),
    node: z.string(),
    prompt: z.string().nullable(),
    since: Timestamp,
    until: Timestamp.nullable(),
    status: z.enum(['pending', 'decided']),
    decision: z.unknown(),
    run_status: z.string(),
    workflow: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    schedule: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
    assistant: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  })
  .openapi('ApprovalLinkView');
