import type { OpenAPIHono } from '@hono/zod-openapi';
import type { WaitService } from '../../waits/wait-service.ts';
import { toRunResource } from '../../runs/run-resource.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import { Run } from '../schemas/runs.ts';
import { ApprovalList, ApprovalListQuery, DecisionBody, EventAccepted, EventBody } from '../schemas/waits.ts';

export const waitRoutes = {
  decide: apiRoute({
    method: 'post',
    path: '/api/v1/runs/{id}/decision',
    tags: ['runs'],
    summary: 'Decide the approval a run waits for (docs/waits.md)',
    request: { params: ResourceParams, body: jsonBody(DecisionBody) },
    responses: { 200: json(Run, 'The run (pending again, or already resumed)') },
    extraErrors: {
      409: 'Decided already (`already_decided`, also by a timeout), or no approval wait (`not_waiting`)',
    },
  }),
  approvals: apiRoute({
    method: 'get',
    path: '/api/v1/approvals',
    tags: ['approvals'],
    summary: 'Approvals you may decide, oldest first',
    request: { query: ApprovalListQuery },
    responses: { 200: json(ApprovalList, 'A page of approvals') },
  }),
  sendEvent: apiRoute({
    method: 'post',
    path: '/api/v1/events',
    tags: ['events'],
    summary: 'Send an event: wakes the runs waiting for it; kept for their lookback',
    request: { body: jsonBody(EventBody) },
    responses: { 202: json(EventAccepted, 'The event, and the runs it woke now') },
  }),
};

export function registerWaitRoutes(app: OpenAPIHono<ApiEnv>, waits: WaitService): void {
  app.openapi(waitRoutes.decide, async (c) => {
    const run = await waits.decide(c.var.actor, c.req.valid('param').id, c.req.valid('json'));
    return c.json(toRunResource(run), 200);
  });
  app.openapi(waitRoutes.approvals, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await waits.approvals(c.var.actor, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(waitRoutes.sendEvent, async (c) => c.json(await waits.sendEvent(c.var.actor, c.req.valid('json')), 202));
}
