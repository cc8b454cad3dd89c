import { z } from 'zod';
import { defineTool } from './tool-definition.ts';

export const listWorkflowsTool = defineTool({
  name: 'list_workflows',
  description:
    'The workflows you may schedule (multi-step flows of assistants): id, name, description, status and version. Schedule one with create_schedule and workflow_id.',
  parameters: z.strictObject({
    name: z.string().min(1).max(200).optional().describe('Part of the name, case-insensitive.'),
    status: z.enum(['active', 'inactive']).optional().describe('Only workflows in this state.'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 50).'),
  }),
  writes: false,
  async run(context, args) {
    const { items, total } = await context.services.workflows.list(context.actor, { ...args, limit: args.limit ?? 50 });
    // No definition: it is the flow's wiring, long and not needed to schedule it.
    const workflows = items.map((w) => ({
      id: w.id,
      name: w.name,
      description: w.description,
      status: w.status,
      version: w.version,
    }));
    return { workflows, total };
  },
});
