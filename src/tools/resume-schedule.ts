import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const resumeScheduleTool = defineTool({
  name: 'resume_schedule',
  description:
    'Resume a paused schedule of yours. What was missed while paused is not fired unless its misfire policy asks for it.',
  parameters: z.strictObject({ schedule_id: scheduleId }),
  writes: true,
  run: (context, args) => context.services.schedules.resume(context.actor, args.schedule_id),
});
