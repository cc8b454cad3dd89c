import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../store/database.ts';
import type { Pricing } from './pricing.ts';
import { scheduleUsage, type ScheduleUsage } from './schedule-usage.ts';

/** Reads a schedule the actor may see (the schedule service, src/scheduler); 404 otherwise. */
export interface VisibleSchedules {
  get(actor: Actor, id: string): Promise<{ schedule: { timezone: string } }>;
}

/** What schedules cost: tokens per day and money by the price table, for the API and the dashboard. */
export class UsageService {
  constructor(
    private readonly options: { db: Database; clock: Clock; schedules: VisibleSchedules; pricing: Pricing },
  ) {}

  /** A schedule's usage per day (its zone) over the last `days` days; 404 unless the actor may see it. */
  async forSchedule(actor: Actor, id: string, days = 30): Promise<ScheduleUsage> {
    const schedule = await this.options.schedules.get(actor, id);
    return scheduleUsage(
      this.options.db,
      { id, timezone: schedule.schedule.timezone },
      { now: this.options.clock.now(), days, pricing: this.options.pricing },
    );
  }
}
