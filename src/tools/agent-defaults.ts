import type { ScheduleCreateInput } from '../scheduler/schedule-input.ts';
import type { ToolContext } from './tool-definition.ts';

type ScheduleSpec = ScheduleCreateInput['schedule'];

/**
 * A schedule spec with the calling assistant's `default_timezone` filled in where the model gave
 * none (Agno's SchedulerTools default); callers other than a Kairos assistant get UTC as in the API.
 */
export function withAgentTimezone(context: ToolContext, spec: ScheduleSpec): ScheduleSpec {
  const zone = context.agent?.defaultTimezone;
  if (!zone) return spec;
  if (typeof spec === 'string') return { cron: spec, timezone: zone };
  return spec.timezone === undefined ? { ...spec, timezone: zone } : spec;
}
