import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const getScheduleTool = defineTool({
  name: 'get_schedule',
  description:
    'Get one of your schedules by id: its timing, input_template, policies, status, next_run_at and last run.',
  parameters: z.strictObject({ schedule_id: scheduleId }),
  writes: false,
  run: (context, args) => context.services.schedules.get(context.actor, args.schedule_id),
});
