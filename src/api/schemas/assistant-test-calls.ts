import { z } from '@hono/zod-openapi';
import { assistantDraftSchema } from '../../agents/assistant-service.ts';

const exchangeMessage = {
  headers: z
    .record(z.string(), z.string())
    .openapi({ description: 'Secret values (env references, credential-like names) are shown as [redacted]' }),
  body: z.string(),
};

export const AgentExchange = z
  .object({
    request: z.object({ method: z.string(), url: z.string(), ...exchangeMessage }),
    response: z.object({ status: z.number().int(), ...exchangeMessage }).optional(),
    error: z.string().optional(),
  })
  .openapi('AgentExchange');

export const TestCallResult = z
  .object({
    ok: z.boolean(),
    output: z.unknown(),
    error: z.object({ kind: z.string(), message: z.string() }).nullable(),
    duration_ms: z.number(),
    exchanges: z
      .array(AgentExchange)
      .openapi({ description: 'Every request sent to the agent and its answer, in order' }),
    events: z.array(z.object({ kind: z.string(), data: z.unknown() })),
  })
  .openapi('TestCallResult');

export const TestCallSaved = z
  .strictObject({ input: z.unknown().optional().openapi({ description: 'The input the assistant gets (any JSON)' }) })
  .openapi('TestCallSaved');

export const TestCallDraft = assistantDraftSchema.extend({
  input: z.unknown().optional().openapi({ description: 'The input the assistant gets (any JSON)' }),
});

export type TestCallResult = z.infer<typeof TestCallResult>;
export type TestCallSaved = z.input<typeof TestCallSaved>;
export type TestCallDraft = z.input<typeof TestCallDraft>;
