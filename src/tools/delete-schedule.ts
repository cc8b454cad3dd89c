import { z } from 'zod';
import { scheduleId } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const deleteScheduleTool = defineTool({
  name: 'delete_schedule',
  description:
    'Delete one of your schedules for good (its pending runs are cancelled, its run history is kept). To stop it for a while, use pause_schedule.',
  parameters: z.strictObject({ schedule_id: scheduleId }),
  writes: true,
  async run(context, args) {
    await context.services.schedules.delete(context.actor, args.schedule_id);
    return { deleted: true, id: args.schedule_id };
  },
});
