import { invalid } from '../errors.ts';
import type { ScheduleCreateInput } from '../scheduler/schedule-input.ts';
import { withAgentTimezone } from './agent-defaults.ts';
import { createScheduleParameters } from './schedule-parameters.ts';
import { defineTool } from './tool-definition.ts';

export const createScheduleTool = defineTool({
  name: 'create_schedule',
  description:
    'Create a schedule that runs an assistant on a cron expression, once at a time, or every interval, and returns it with next_run_at. ' +
    'Times are wall-clock in `schedule.timezone` (IANA, e.g. "America/New_York"). ' +
    'Example: {"schedule": {"cron": "0 9 * * 1-5", "timezone": "America/New_York"}, "input_template": "Post a digest of open PRs for {{date}}."} ' +
    'runs every weekday at 9am Eastern. Validation errors come back as {"error": {"code", "message", "details"}}: fix the named field and call again.',
  parameters: createScheduleParameters,
  writes: true,
  async run(context, args) {
    // No target: a Kairos assistant schedules itself; other callers must name one.
    const assistantId = args.assistant_id ?? (args.workflow_id === undefined ? context.agent?.assistantId : undefined);
    if (assistantId === undefined && args.workflow_id === undefined) {
      throw invalid(
        'assistant_id',
        'is required: pass the id of the assistant (see list_assistants) or workflow_id (see list_workflows) to run',
      );
    }
    const body: ScheduleCreateInput = {
      ...args,
      ...(assistantId !== undefined && { assistant_id: assistantId }),
      schedule: withAgentTimezone(context, args.schedule),
    };
    const agent = context.agent;
    return context.services.schedules.create(
      context.actor,
      body,
      agent ? { createdBy: { kind: 'agent', run_id: agent.runId, assistant_id: agent.assistantId } } : {},
    );
  },
});
