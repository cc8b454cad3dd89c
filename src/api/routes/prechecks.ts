import type { OpenAPIHono } from '@hono/zod-openapi';
import type { PrecheckService, PrecheckTestInput } from '../../gates/precheck-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { PrecheckTestBody, PrecheckTestResult } from '../schemas/prechecks.ts';

export const precheckRoutes = {
  test: apiRoute({
    method: 'post',
    path: '/api/v1/prechecks/test',
    tags: ['schedules'],
    summary:
      "Test a precheck now (a schedule's or a trigger's): make its request and show the response and the verdict; nothing is stored",
    request: { body: jsonBody(PrecheckTestBody) },
    responses: { 200: json(PrecheckTestResult, 'The response and the verdict; a failed precheck is still 200') },
  }),
};

export function registerPrecheckRoutes(app: OpenAPIHono<ApiEnv>, prechecks: PrecheckService): void {
  app.openapi(precheckRoutes.test, async (c) =>
    c.json(await prechecks.test(c.var.actor, c.req.valid('json') as PrecheckTestInput), 200),
  );
}
