import type { OpenAPIHono } from '@hono/zod-openapi';
import type { UsageService } from '../../observability/usage-service.ts';
import { apiRoute, json } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import { ScheduleUsage, ScheduleUsageQuery } from '../schemas/usage.ts';

export const usageRoutes = {
  schedule: apiRoute({
    method: 'get',
    path: '/api/v1/schedules/{id}/usage',
    tags: ['schedules'],
    summary: "Tokens per day (the schedule's zone) and money by the price table",
    request: { params: ResourceParams, query: ScheduleUsageQuery },
    responses: { 200: json(ScheduleUsage, 'Usage per day and in total') },
  }),
};

export function registerUsageRoutes(app: OpenAPIHono<ApiEnv>, usage: UsageService): void {
  app.openapi(usageRoutes.schedule, async (c) =>
    c.json(await usage.forSchedule(c.var.actor, c.req.valid('param').id, c.req.valid('query').days), 200),
  );
}
