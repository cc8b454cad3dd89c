import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AssistantTestCalls } from '../../agents/assistant-test-call.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { TestCallDraft, TestCallResult, TestCallSaved } from '../schemas/assistant-test-calls.ts';
import { ResourceParams } from '../schemas/common.ts';

const tags = ['assistants'];
const outcome = 'The outcome (`ok`, `output` or `error`) with the raw requests and answers; a failed call is still 200';

export const assistantTestCallRoutes = {
  draft: apiRoute({
    method: 'post',
    path: '/api/v1/assistants/test',
    tags,
    summary:
      'Test call: run an unsaved assistant ({kind, config}) once and show the raw requests and answers; nothing is stored',
    request: { body: jsonBody(TestCallDraft) },
    responses: { 200: json(TestCallResult, outcome) },
  }),
  saved: apiRoute({
    method: 'post',
    path: '/api/v1/assistants/{id}/test',
    tags,
    summary:
      'Test call: run one of your assistants once and show the raw requests and answers; creates no run or schedule',
    request: { params: ResourceParams, body: jsonBody(TestCallSaved) },
    responses: { 200: json(TestCallResult, outcome) },
  }),
};

export function registerAssistantTestCallRoutes(app: OpenAPIHono<ApiEnv>, testCalls: AssistantTestCalls): void {
  app.openapi(assistantTestCallRoutes.draft, async (c) => {
    const { input, ...draft } = c.req.valid('json');
    return c.json(await testCalls.testDraft(c.var.actor, draft, input ?? null, c.req.raw.signal), 200);
  });
  app.openapi(assistantTestCallRoutes.saved, async (c) => {
    const { input } = c.req.valid('json');
    return c.json(
      await testCalls.testSaved(c.var.actor, c.req.valid('param').id, input ?? null, c.req.raw.signal),
      200,
    );
  });
}
