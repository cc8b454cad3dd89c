import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const triggerScheduleTool = defineTool({
  name: 'trigger_schedule',
  description:
    "Run one of your schedules now (a manual run; the schedule's next fire time does not move). Returns the run, which starts shortly: " +
    'read its outcome later with get_schedule_runs.',
  parameters: z.strictObject({
    schedule_id: scheduleId,
    input: z.json().optional().describe('Input for this run instead of the rendered input_template.'),
    overlap: z
      .enum(['obey', 'override'])
      .optional()
      .describe('"obey" (default) follows the schedule\'s overlap policy; "override" starts even if a run is going.'),
  }),
  writes: true,
  run(context, args) {
    const { schedule_id, ...options } = args;
    return context.services.schedules.trigger(context.actor, schedule_id, options);
  },
});
