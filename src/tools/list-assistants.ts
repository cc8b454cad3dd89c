import { z } from 'zod';
import { defineTool } from './tool-definition.ts';

export const listAssistantsTool = defineTool({
  name: 'list_assistants',
  description:
    'The assistants you may schedule (yours and the built-in ones): id, name, description, kind and status. Only active ones can be scheduled.',
  parameters: z.strictObject({
    name: z.string().min(1).max(200).optional().describe('Part of the name, case-insensitive.'),
    status: z.enum(['active', 'inactive']).optional().describe('Only assistants in this state.'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 50).'),
  }),
  writes: false,
  async run(context, args) {
    const { items, total } = await context.services.assistants.list(context.actor, {
      ...args,
      limit: args.limit ?? 50,
    });
    // No config: it is the assistant's wiring (URLs, env references), not something to schedule by.
    const assistants = items.map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      kind: a.kind,
      status: a.status,
      graph_id: a.graphId,
      built_in: a.builtIn,
    }));
    return { assistants, total };
  },
});
