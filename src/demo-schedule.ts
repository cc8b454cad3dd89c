import { kairosDigestAssistantId } from './agents/builtin-assistants.ts';
import { localAdmin } from './auth/actor.ts';
import type { Logger } from './logger.ts';
import type { ScheduleService } from './scheduler/schedule-service.ts';
import type { Database } from './store/database.ts';
import { recordSettingOnce } from './store/settings.ts';

export const demoScheduleName = 'Kairos digest (demo)';

/**
 * On the first start of an installation, schedules the built-in digest every 15 minutes so that
 * a fresh `npm start` shows real scheduled work. Offered once: deleting it is final.
 */
export async function seedDemoSchedule(schedules: ScheduleService, db: Database, logger: Logger): Promise<void> {
  if (!(await recordSettingOnce(db, 'demo_schedule_offered'))) return;
  const schedule = await schedules.create(localAdmin, {
    name: demoScheduleName,
    assistant_id: kairosDigestAssistantId,
    schedule: { cron: '*/15 * * * *', timezone: 'UTC' },
    input_template: 'Digest of the last 24 hours, {{date}} run {{run_number}}.',
    metadata: { demo: true },
  });
  logger.info(
    { schedule_id: schedule.id, next_run_at: schedule.next_run_at },
    `demo schedule "${demoScheduleName}" created (delete it at will)`,
  );
}
