import { updateScheduleParameters } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const updateScheduleTool = defineTool({
  name: 'update_schedule',
  description:
    'Change some fields of one of your schedules; fields not given stay as they are. A new `schedule` (cron, at, every or timezone), ' +
    '`start_at`, `end_at` or `max_runs` recomputes next_run_at. Example: {"schedule_id": "…", "schedule": {"cron": "0 8 * * 1-5", "timezone": "Europe/Paris"}}.',
  parameters: updateScheduleParameters,
  writes: true,
  run(context, args) {
    const { schedule_id, ...patch } = args;
    return context.services.schedules.update(context.actor, schedule_id, patch);
  },
});
