import { z } from 'zod';
import { defineTool } from './tool-definition.ts';
import { waitServiceOf } from './wait-service-of.ts';

export const decideApprovalTool = defineTool({
  name: 'decide_approval',
  description:
    'Approve or reject what a waiting run asks (a run_id from list_pending_approvals), as the user you act for. Only relay a decision the user actually made; a run is decided once (already_decided otherwise).',
  parameters: z.strictObject({
    run_id: z.string().min(1).max(200).describe('The waiting run (from list_pending_approvals).'),
    approved: z.boolean().describe('true to approve, false to reject.'),
    comment: z.string().max(10_000).optional().describe('Why, in the user’s words; the next steps receive it.'),
  }),
  writes: true,
  async run(context, args) {
    const run = await waitServiceOf(context).decide(context.actor, args.run_id, {
      approved: args.approved,
      ...(args.comment !== undefined && { comment: args.comment }),
    });
    return { run_id: run.id, status: run.status, approved: args.approved };
  },
});
