import type { Actor } from '../../auth/actor.ts';
import { listScheduleEvents } from '../../store/schedule-events.ts';
import type { ScheduleContext } from './schedule-context.ts';

export interface ScheduleEvent {
  id: number;
  at: string;
  kind: string;
  data: unknown;
}

/** Alerts, missed occurrences and completion, newest first. */
export async function listScheduleEventsOf(
  context: ScheduleContext,
  actor: Actor,
  id: string,
  options: { kind?: string; limit?: number } = {},
): Promise<ScheduleEvent[]> {
  await context.visible(actor, id);
  const rows = await listScheduleEvents(context.options.db, id, options);
  return rows.map((row) => ({ id: row.id, at: row.at.toISOString(), kind: row.kind, data: row.data }));
}
