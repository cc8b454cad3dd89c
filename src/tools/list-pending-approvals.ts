import { z } from 'zod';
import { defineTool } from './tool-definition.ts';
import { waitServiceOf } from './wait-service-of.ts';

export const listPendingApprovalsTool = defineTool({
  name: 'list_pending_approvals',
  description:
    'Approvals that runs are waiting for and that you may decide, oldest first: run_id, node, the prompt (what is to be approved), since and until (when it times out). Decide one with decide_approval.',
  parameters: z.strictObject({
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 20).'),
  }),
  writes: false,
  async run(context, args) {
    const { items, total } = await waitServiceOf(context).approvals(context.actor, {
      status: 'pending',
      limit: args.limit ?? 20,
      offset: 0,
    });
    return { approvals: items, total };
  },
});
