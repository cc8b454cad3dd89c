import type { Actor } from '../../auth/actor.ts';
import { listSchedules, type ScheduleOrder } from '../../store/schedules.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import type { ScheduleContext } from './schedule-context.ts';

/** Filters of {@link searchSchedules}. */
export interface ScheduleSearch {
  /** An assistant id or a graph id (every assistant of that graph). */
  assistantRef?: string;
  threadId?: string;
  enabled?: boolean;
  metadata?: Record<string, unknown>;
  orderBy?: ScheduleOrder;
  limit: number;
  offset: number;
}

/**
 * The LangGraph cron search: the same filters plus `assistantRef` (an assistant id or a graph
 * id) and an order, for the `/runs/crons/search|count` routes.
 */
export async function searchSchedules(
  context: ScheduleContext,
  actor: Actor,
  filters: ScheduleSearch,
): Promise<{ items: ScheduleResource[]; total: number }> {
  const ownerId = actor.role === 'admin' ? undefined : actor.userId;
  const { rows, total } = await listSchedules(context.options.db, {
    ...(ownerId && { ownerId }),
    ...(filters.assistantRef !== undefined && { assistantRef: filters.assistantRef }),
    ...(filters.threadId !== undefined && { threadId: filters.threadId }),
    ...(filters.enabled !== undefined && { enabled: filters.enabled }),
    ...(filters.metadata !== undefined && { metadata: filters.metadata }),
    ...(filters.orderBy !== undefined && { orderBy: filters.orderBy }),
    limit: filters.limit,
    offset: filters.offset,
  });
  return { items: rows.map(toScheduleResource), total };
}
