import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DeliveryService } from '../../triggers/delivery-service.ts';
import { json } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { readCappedBody } from '../read-capped-body.ts';
import { ErrorResponse, ResourceParams } from '../schemas/common.ts';
import { HookAnswer, HookQuery } from '../schemas/triggers.ts';

const error = (description: string) => json(ErrorResponse, description);

/** `POST /hooks/{id}`: a trigger's URL. Authenticated by the trigger's own `auth`, not by API keys. */
export const hookRoute = createRoute({
  method: 'post',
  path: '/hooks/{id}',
  tags: ['triggers'],
  summary: "Deliver an event to a trigger (signed with the trigger's secret, or its bearer token)",
  request: { params: ResourceParams, query: HookQuery },
  responses: {
    200: json(
      HookAnswer,
      "A replayed delivery id (the first delivery's run), or the finished run when `wait` was given",
    ),
    202: json(
      HookAnswer,
      'Accepted: the run was created; or, on a debounced trigger, held (`debounced: true`, no run yet)',
    ),
    400: error(
      'The body is not valid JSON (`invalid_json`), or a query parameter or header holds a NUL or a lone surrogate (`invalid_delivery`)',
    ),
    401: error('Missing or wrong signature or token (`unauthorized`)'),
    404: error('No such trigger, or it is disabled (`not_found`)'),
    409: error('The target cannot run (inactive assistant, owner disabled) (`trigger_unavailable`)'),
    413: error('Body larger than KAIROS_MAX_BODY_BYTES (`body_too_large`)'),
    422: error('Bad `wait` (`invalid_request`)'),
    429: error("Over the trigger's rate limit; see Retry-After (`rate_limited`)"),
    503: error(
      'The trigger cannot accept deliveries now (`trigger_unavailable`); its owner sees why in `not_ready_reason` and the delivery history',
    ),
  },
});

export function registerHookRoute(app: OpenAPIHono<ApiEnv>, deliveries: DeliveryService, maxBodyBytes: number): void {
  app.openapi(hookRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { wait, ...query } = c.req.query();
    const { body, bytes } = await readCappedBody(c.req.raw, maxBodyBytes);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const answer = await deliveries.receive({
      triggerId: id,
      headers,
      query,
      body,
      bodyBytes: bytes,
      wait,
      signal: c.req.raw.signal,
    });
    for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
    // The answers are built by the delivery service; the route documents their shapes.
    return c.json(answer.body, answer.status as ContentfulStatusCode) as never;
  });
}
