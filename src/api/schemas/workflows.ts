import { z } from '@hono/zod-openapi';
import { RunCreate } from './runs.ts';
import { PageQuery, Timestamp, pageOf } from './common.ts';

const statuses = ['active', 'inactive'] as const;

const exampleDefinition = {
  name: 'research-pipeline',
  description: 'Research, outline, then draft and review until approved',
  steps: [
    { type: 'step', name: 'research', assistant_id: '7d0c…' },
    { type: 'step', name: 'outline', module: 'outline' },
    {
      type: 'loop',
      name: 'draft-review',
      max_iterations: 3,
      end_condition: 'step_outputs.review.contains("APPROVED")',
      steps: [
        {
          type: 'step',
          name: 'draft',
          assistant_id: '7d0c…',
          input: 'Outline: {{steps.outline}}\nReview: {{steps.review}}',
        },
        { type: 'step', name: 'review', assistant_id: '9a1e…' },
      ],
    },
  ],
};

/**
 * A node (`step`, `parallel`, `loop`, `router`, `condition`). The schema is recursive, so the
 * document describes it loosely; the server validates every node and answers `invalid_workflow`
 * (422) listing each problem with its path.
 */
const Node = z.record(z.string(), z.unknown()).openapi('WorkflowNode', {
  description: 'A node: {type: "step"|"parallel"|"loop"|"router"|"condition", name, …}; see docs/workflows.md',
});

export const WorkflowDefinition = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    steps: z.array(Node),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('WorkflowDefinition', { example: exampleDefinition });

export const Workflow = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    owner_id: z.string(),
    status: z.enum(statuses),
    version: z
      .number()
      .int()
      .openapi({ description: 'Incremented by every update; each run records the version it ran' }),
    source: z
      .enum(['api', 'config'])
      .openapi({ description: '`config`: declared in the config file and registered at start' }),
    definition: WorkflowDefinition,
    metadata: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Workflow');

/** Loose on purpose: the service validates the definition and lists every problem with its path. */
export const WorkflowCreate = z.record(z.string(), z.unknown()).openapi('WorkflowCreate', {
  description:
    'A WorkflowDefinition ({name, description?, steps, metadata?}) plus an optional status (active | inactive)',
  example: exampleDefinition,
});

export const WorkflowUpdate = z.record(z.string(), z.unknown()).openapi('WorkflowUpdate', {
  description:
    'Any of name, description, steps, metadata, status; the definition is validated again and the version incremented',
});

export const WorkflowValid = z.object({ valid: z.literal(true) }).openapi('WorkflowValid');

export const WorkflowListQuery = PageQuery.extend({
  name: z.string().optional().openapi({ description: 'Case-insensitive part of the name' }),
  search: z.string().optional().openapi({ description: 'Case-insensitive part of the name or the description' }),
  status: z.enum(statuses).optional(),
  source: z.enum(['api', 'config']).optional(),
  owner_id: z.string().optional().openapi({ description: "Admins: one user's workflows" }),
});

export const WorkflowList = pageOf(Workflow, 'WorkflowList');

export const WorkflowRunCreate = RunCreate.omit({ assistant_id: true, config: true, context: true }).openapi(
  'WorkflowRunCreate',
);

export const WorkflowRunListQuery = PageQuery.extend({
  status: z.enum(['pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped']).optional(),
});

export type Workflow = z.infer<typeof Workflow>;
export type WorkflowList = z.infer<typeof WorkflowList>;
export type WorkflowRunCreate = z.input<typeof WorkflowRunCreate>;
export type WorkflowValid = z.infer<typeof WorkflowValid>;
