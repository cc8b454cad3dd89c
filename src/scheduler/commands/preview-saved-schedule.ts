import type { Actor } from '../../auth/actor.ts';
import { occurrenceSpecOf } from '../next-fire.ts';
import { previewOccurrences } from '../schedule-preview.ts';
import type { ScheduleContext } from './schedule-context.ts';
import type { SchedulePreview } from './preview-schedule.ts';

/** A saved schedule's next fire times, excluded occurrences and next DST change, from now. */
export async function previewSavedSchedule(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  options: { count?: number } = {},
): Promise<SchedulePreview> {
  const row = await context.visible(actor, id);
  const count = row.completed_at ? 0 : Math.min(Math.max(options.count ?? 5, 1), 100);
  return previewOccurrences(occurrenceSpecOf(row), context.options.clock.now(), count, {
    seconds: row.cron?.trim().split(/\s+/).length === 6,
    lastScheduledFor: row.last_scheduled_for?.getTime() ?? null,
  });
}
