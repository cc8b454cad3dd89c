import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { scheduleRates, type ScheduleRate } from '../../store/schedule-rates.ts';
import { parseScheduleInput } from '../schedule-input.ts';
import type { ScheduleContext } from './schedule-context.ts';

const ratesSchema = z.object({
  /** ids separated by commas, at most 200 (a list page's rows). */
  ids: z
    .string()
    .transform((text) => text.split(',').filter((id) => id !== ''))
    .pipe(z.array(z.uuid('ids: each id must be a schedule id (a UUID)')).min(1).max(200)),
});

/**
 * Runs by status and the success rate over a window of many schedules at once (the dashboard's
 * list asks this once for its page instead of once per row). Schedules the actor cannot see are
 * left out, as by the list.
 */
export async function getScheduleRates(
  context: ScheduleContext,
  actor: Actor,
  input: { ids: string; windowMs?: number },
): Promise<{ window_ms: number; since: string; data: ScheduleRate[] }> {
  const { ids } = parseScheduleInput(ratesSchema, { ids: input.ids });
  const windowMs = input.windowMs ?? 7 * 86_400_000;
  const since = new Date(context.options.clock.now() - windowMs);
  const data = await scheduleRates(context.options.db, ids, {
    since,
    ...(actor.role !== 'admin' && { ownerId: actor.userId }),
  });
  return { window_ms: windowMs, since: since.toISOString(), data };
}
