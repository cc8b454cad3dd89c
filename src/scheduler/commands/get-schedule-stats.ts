import type { Actor } from '../../auth/actor.ts';
import { nextFireOf } from '../schedule-resource.ts';
import { scheduleStats, type ScheduleStats } from '../../store/schedule-stats.ts';
import type { ScheduleContext } from './schedule-context.ts';

/** Success rate, counts by status and failure reason, streak, durations, last and next run. */
export async function getScheduleStats(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  options: { windowMs?: number } = {},
): Promise<ScheduleStats> {
  const row = await context.visible(actor, id);
  const windowMs = options.windowMs ?? 7 * 86_400_000;
  const stats =
    (await scheduleStats(context.options.db, id, { now: context.options.clock.now(), windowMs })) ??
    context.missing(id);
  // next_run_at may hold an occurrence on an excluded date (counted when due): show the next fire.
  return stats.next_run_at === null ? stats : { ...stats, next_run_at: nextFireOf(row)?.toISOString() ?? null };
}
