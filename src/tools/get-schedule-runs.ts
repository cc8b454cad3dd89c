import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

const statuses = ['pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped'] as const;

export const getScheduleRunsTool = defineTool({
  name: 'get_schedule_runs',
  description:
    'The runs of one of your schedules, newest first: status, trigger, scheduled_for, input, output, error and duration.',
  parameters: z.strictObject({
    schedule_id: scheduleId,
    status: z.enum(statuses).optional().describe('Only runs with this status.'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many (default 10).'),
  }),
  writes: false,
  async run(context, args) {
    const schedule = await context.services.schedules.get(context.actor, args.schedule_id); // not_found for another user's schedule
    const { items, total } = await context.services.runs.list(context.actor, {
      schedule_id: schedule.id,
      ...(args.status && { status: args.status }),
      limit: args.limit ?? 10,
    });
    return { runs: items, total };
  },
});
