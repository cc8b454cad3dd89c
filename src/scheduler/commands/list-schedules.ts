import { assertAdmin, type Actor } from '../../auth/actor.ts';
import { invalid } from '../../errors.ts';
import { listSchedules, type ScheduleOrder } from '../../store/schedules.ts';
import { parseScheduleInput, scheduleListSchema, type ScheduleListInput } from '../schedule-input.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import type { ScheduleContext } from './schedule-context.ts';
import { decodeCursor, encodeCursor } from './schedule-cursor.ts';

/** Schedules after `cursor` (keyset on created_at, id): the list's `next_cursor`. */
export interface ScheduleListPage {
  items: ScheduleResource[];
  total: number;
  /** Pass as `cursor` to read the next page; null on the last page. */
  next_cursor: string | null;
}

/**
 * Newest first. Filters: `status` (active, paused, completed), `enabled`, `name` (contains,
 * case-insensitive), `metadata` (every key equals); paging by `offset` or by `cursor`.
 */
export async function listSchedulesOf(
  context: ScheduleContext,
  actor: Actor,
  filters: ScheduleListInput = {},
): Promise<ScheduleListPage> {
  const input = parseScheduleInput(scheduleListSchema, filters);
  // owner_id is a filter, never ignored: a non-admin naming another user is refused (as for keys).
  if (actor.role !== 'admin' && input.owner_id !== undefined && input.owner_id !== actor.userId)
    assertAdmin(actor, "list other users' schedules");
  const ownerId = actor.role === 'admin' ? input.owner_id : actor.userId;
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  if (after && input.sort) throw invalid('cursor', 'a cursor follows the default order: page with offset when sorting');
  const { rows, total } = await listSchedules(context.options.db, {
    ...(ownerId && { ownerId }),
    ...(input.assistant_id && { assistantId: input.assistant_id }),
    ...(input.workflow_id && { workflowId: input.workflow_id }),
    ...(input.thread_id && { threadId: input.thread_id }),
    ...(input.status && { state: input.status }),
    ...(input.enabled !== undefined && { enabled: input.enabled }),
    ...(input.name && { nameContains: input.name }),
    ...(input.metadata && { metadata: input.metadata }),
    ...(input.q && { search: input.q }),
    ...(input.failing && { failing: true }),
    ...(input.ids && { ids: input.ids }),
    ...(input.sort && { orderBy: sortOf(input.sort) }),
    ...(after && { after }),
    limit: input.limit + 1, // one more tells whether a next page exists
    offset: input.offset,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toScheduleResource),
    total,
    next_cursor: last && rows.length > input.limit ? encodeCursor(last) : null,
  };
}

/** `-next_run_at` → next_run_at descending. */
function sortOf(sort: string): ScheduleOrder {
  const descending = sort.startsWith('-');
  return { column: sort.replace(/^-/, '') as ScheduleOrder['column'], direction: descending ? 'desc' : 'asc' };
}
