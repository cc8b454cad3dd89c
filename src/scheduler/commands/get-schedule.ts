import type { Actor } from '../../auth/actor.ts';
import { toScheduleResource, type ScheduleResource } from '../schedule-resource.ts';
import type { ScheduleContext } from './schedule-context.ts';

/** One schedule the actor may see (`not_found` otherwise). */
export async function getSchedule(context: ScheduleContext, actor: Actor, id: string): Promise<ScheduleResource> {
  return toScheduleResource(await context.visible(actor, id));
}
