import { z } from 'zod';
import { defineTool } from './tool-definition.ts';
import { waitServiceOf } from './wait-service-of.ts';

export const sendEventTool = defineTool({
  name: 'send_event',
  description:
    'Send a named event (e.g. "payment.received") with an optional key and JSON payload: it wakes your runs waiting for that event, and is kept for waits that begin shortly after (their lookback). Returns the runs it woke.',
  parameters: z.strictObject({
    name: z.string().trim().min(1).max(200).describe('The event name the waits name.'),
    key: z
      .string()
      .max(1000)
      .optional()
      .describe('A correlation value (an order id…); a wait’s match reads event.key.'),
    payload: z.unknown().optional().describe('Any JSON the waiting runs receive.'),
  }),
  writes: true,
  run: (context, args) =>
    waitServiceOf(context).sendEvent(context.actor, {
      name: args.name,
      ...(args.key !== undefined && { key: args.key }),
      ...(args.payload !== undefined && { payload: args.payload }),
    }),
});
