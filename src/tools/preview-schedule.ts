import { withAgentTimezone } from './agent-defaults.ts';
import { previewScheduleParameters } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const previewScheduleTool = defineTool({
  name: 'preview_schedule',
  description:
    'Check a schedule before creating it, without saving anything: the next fire times (UTC, ISO-8601) and the cron expression in words. ' +
    'Example: {"schedule": {"cron": "0 9 * * 1-5", "timezone": "America/New_York"}, "count": 3}.',
  parameters: previewScheduleParameters,
  writes: false,
  run(context, args) {
    const { count, ...body } = args;
    const preview = context.services.schedules.preview(
      { ...body, schedule: withAgentTimezone(context, body.schedule) },
      count === undefined ? {} : { count },
    );
    return Promise.resolve(preview);
  },
});
