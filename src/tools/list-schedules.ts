import { z } from 'zod';
import { defineTool } from './tool-definition.ts';

export const listSchedulesTool = defineTool({
  name: 'list_schedules',
  description:
    'List your schedules, newest first, with their timing in words (`description`), status (active, paused, completed) and next_run_at. ' +
    'Filter by status, name or assistant; page with `cursor` (the next_cursor of the previous answer).',
  parameters: z.strictObject({
    status: z.enum(['active', 'paused', 'completed']).optional().describe('Only schedules in this state.'),
    name: z.string().min(1).max(200).optional().describe('Part of the name, case-insensitive.'),
    assistant_id: z.uuid().optional().describe('Only schedules of this assistant.'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 20).'),
    cursor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The next_cursor of the previous answer, to read the next page.'),
  }),
  writes: false,
  async run(context, args) {
    const page = await context.services.schedules.list(context.actor, { ...args, limit: args.limit ?? 20 });
    return { schedules: page.items, total: page.total, next_cursor: page.next_cursor };
  },
});
