import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const pauseScheduleTool = defineTool({
  name: 'pause_schedule',
  description:
    'Pause one of your schedules: it stops firing and keeps its whole configuration (resume_schedule starts it again).',
  parameters: z.strictObject({ schedule_id: scheduleId }),
  writes: true,
  run: (context, args) => context.services.schedules.pause(context.actor, args.schedule_id),
});
