import type { Actor } from '../../auth/actor.ts';
import { runnableAssistant } from '../../auth/access.ts';
import { backfillSchedule, type BackfillInput, type BackfillResult } from '../backfill.ts';
import type { ScheduleContext } from './schedule-context.ts';

/**
 * Creates one run per occurrence in `(from, to]` that has no run yet (`trigger: "backfill"`,
 * oldest first, at most 1,000 per request); with `dry_run`, only counts them. Running it
 * twice creates nothing new. See {@link backfillSchedule}.
 *
 * @example
 * await kairos.schedules.backfill(actor, id, { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z', dry_run: true })
 * // { occurrences: 7, existing: 2, runs: 5, … }
 */
export async function backfillScheduleOf(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  body: BackfillInput,
): Promise<BackfillResult> {
  context.assertMayWrite(actor);
  const visible = await context.visible(actor, id);
  if (visible.assistant_id) await runnableAssistant(context.options.assistants, actor, visible.assistant_id);
  const { db, clock, startDeadlineMs } = context.options;
  return backfillSchedule({ db, now: clock.now(), actorId: actor.userId, startDeadlineMs }, visible, body);
}
