import { z } from '@hono/zod-openapi';
import { precheckTestSchema } from '../../gates/precheck-service.ts';
import { serviceBody } from './service-body.ts';

export const PrecheckTestBody = serviceBody(precheckTestSchema, 'PrecheckTestRequest');

export const PrecheckTestResult = z
  .object({
    verdict: z.boolean().nullable().openapi({ description: 'The condition’s value; null when the precheck failed' }),
    decision: z.enum(['run', 'skip']).openapi({
      description: 'What a fire would do: `run` (the agent is called) or `skip` (recorded skipped, reason precheck)',
    }),
    response: z
      .object({ status: z.number().int(), headers: z.record(z.string(), z.string()), body: z.unknown() })
      .nullable()
      .openapi({
        description: 'What the http request answered (body parsed as JSON when it is JSON); null without http',
      }),
    ms: z.number(),
    error: z.string().nullable().openapi({ description: 'Why the precheck failed (a refused address, a timeout, …)' }),
  })
  .openapi('PrecheckTestResult');

export type PrecheckTestRequest = z.input<typeof precheckTestSchema>;
export type PrecheckTestResult = z.infer<typeof PrecheckTestResult>;
/** A precheck as a schedule or a trigger carries it (docs/gates.md). */
export type Precheck = PrecheckTestRequest['precheck'];
