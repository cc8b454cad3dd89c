import type { OpenAPIHono } from '@hono/zod-openapi';
import type { WorkflowRunInput, WorkflowService } from '../../workflows/workflow-service.ts';
import { apiRoute, json, jsonBody } from '../api-route.ts';
import type { ApiEnv } from '../env.ts';
import { ResourceParams } from '../schemas/common.ts';
import { Run, RunList } from '../schemas/runs.ts';
import {
  Workflow,
  WorkflowCreate,
  WorkflowList,
  WorkflowListQuery,
  WorkflowRunCreate,
  WorkflowRunListQuery,
  WorkflowUpdate,
  WorkflowValid,
} from '../schemas/workflows.ts';

const tags = ['workflows'];
const invalid = {
  422: 'The definition is invalid (`invalid_workflow`): `details.errors` lists every problem with its path',
};

export const workflowRoutes = {
  create: apiRoute({
    method: 'post',
    path: '/api/v1/workflows',
    tags,
    summary: 'Create a workflow (validated: references, CEL, limits)',
    request: { body: jsonBody(WorkflowCreate) },
    responses: { 201: json(Workflow, 'The workflow (version 1)') },
    extraErrors: { ...invalid, 409: 'A workflow of yours already has this name (`name_taken`)' },
  }),
  validate: apiRoute({
    method: 'post',
    path: '/api/v1/workflows/validate',
    tags,
    summary: 'Validate a definition without saving it',
    request: { body: jsonBody(WorkflowCreate) },
    responses: { 200: json(WorkflowValid, 'The definition is valid') },
    extraErrors: invalid,
  }),
  list: apiRoute({
    method: 'get',
    path: '/api/v1/workflows',
    tags,
    summary: 'List workflows, newest first (yours; admins: all)',
    request: { query: WorkflowListQuery },
    responses: { 200: json(WorkflowList, 'A page of workflows') },
  }),
  get: apiRoute({
    method: 'get',
    path: '/api/v1/workflows/{id}',
    tags,
    summary: 'Get a workflow and its definition',
    request: { params: ResourceParams },
    responses: { 200: json(Workflow, 'The workflow') },
  }),
  update: apiRoute({
    method: 'patch',
    path: '/api/v1/workflows/{id}',
    tags,
    summary: 'Change a workflow (partial; version + 1)',
    request: { params: ResourceParams, body: jsonBody(WorkflowUpdate) },
    responses: { 200: json(Workflow, 'The workflow') },
    extraErrors: { ...invalid, 409: 'A workflow of yours already has this name (`name_taken`)' },
  }),
  delete: apiRoute({
    method: 'delete',
    path: '/api/v1/workflows/{id}',
    tags,
    summary: 'Delete a workflow (its run history is kept)',
    request: { params: ResourceParams },
    responses: { 204: { description: 'Deleted' } },
    extraErrors: { 409: 'A schedule, a trigger or another workflow still uses it (`workflow_in_use`)' },
  }),
  run: apiRoute({
    method: 'post',
    path: '/api/v1/workflows/{id}/runs',
    tags,
    summary: 'Run a workflow now (a durable run, 202)',
    request: { params: ResourceParams, body: jsonBody(WorkflowRunCreate) },
    responses: { 202: json(Run, 'The run, pending') },
    extraErrors: { 422: 'Invalid input, or the workflow is inactive (`workflow_inactive`)' },
  }),
  runs: apiRoute({
    method: 'get',
    path: '/api/v1/workflows/{id}/runs',
    tags,
    summary: "A workflow's runs, newest first",
    request: { params: ResourceParams, query: WorkflowRunListQuery },
    responses: { 200: json(RunList, 'A page of runs') },
  }),
};

export function registerWorkflowRoutes(app: OpenAPIHono<ApiEnv>, workflows: WorkflowService): void {
  app.openapi(workflowRoutes.create, async (c) =>
    c.json(await workflows.create(c.var.actor, c.req.valid('json')), 201),
  );
  app.openapi(workflowRoutes.validate, async (c) =>
    c.json(await workflows.validate(c.var.actor, c.req.valid('json')), 200),
  );
  app.openapi(workflowRoutes.list, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await workflows.list(c.var.actor, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
  app.openapi(workflowRoutes.get, async (c) => c.json(await workflows.get(c.var.actor, c.req.valid('param').id), 200));
  app.openapi(workflowRoutes.update, async (c) =>
    c.json(await workflows.update(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(workflowRoutes.delete, async (c) => {
    await workflows.delete(c.var.actor, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(workflowRoutes.run, async (c) =>
    // Parsed from a JSON body, so `input` is JSON; the service validates it again.
    c.json(await workflows.run(c.var.actor, c.req.valid('param').id, c.req.valid('json') as WorkflowRunInput), 202),
  );
  app.openapi(workflowRoutes.runs, async (c) => {
    const query = c.req.valid('query');
    const { items, total } = await workflows.runs(c.var.actor, c.req.valid('param').id, query);
    return c.json({ data: items, total, limit: query.limit, offset: query.offset }, 200);
  });
}
