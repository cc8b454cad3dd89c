import { z } from 'zod';
import { previewSchema, scheduleCreateSchema, scheduleUpdateSchema } from '../scheduler/schedule-input.ts';

/**
 * The schedule fields as a model should read them: what each means, common crons, and that times
 * are wall-clock in `timezone`. The validators are the API's own (schedule-input.ts); only the
 * descriptions are added here, so a tool accepts exactly what the API accepts.
 */
export const scheduleFieldDescriptions = {
  name: 'A short name, unique among your schedules, e.g. "weekday PR digest". Optional: one is made up when omitted.',
  assistant_id: 'The assistant to run (an id from list_assistants, or a graph id).',
  workflow_id:
    'Run this workflow instead of an assistant (an id from list_workflows); give assistant_id or workflow_id, not both.',
  alert_on_tokens_per_day: "Record an alert when the schedule's runs use more than this many tokens in a day.",
  budget:
    'Spending limits: {"tokens_per_run"?, "tokens_per_day"?, "usd_per_day"?, "usd_per_month"?, "on_exceed": "stop" | "pause" | "ask"}; ' +
    "days and months in the schedule's timezone; null removes it.",
  thread_id: 'Continue this thread on every run (a thread id); omit for a fresh conversation per run.',
  schedule:
    'When to run: exactly one of `cron`, `at` or `every`, plus `timezone`. ' +
    '`cron` is 5 fields "minute hour day-of-month month day-of-week", evaluated as wall-clock time in `timezone`: ' +
    '"0 9 * * 1-5" = 09:00 Monday to Friday, "*/15 * * * *" = every 15 minutes, "0 0 1 * *" = midnight on the 1st, ' +
    '"30 8 * * MON" = Mondays 08:30, "0 18 * * FRI#1" = first Friday 18:00, "0 0 L * *" = last day of the month; also @daily, @hourly, @weekly. ' +
    '`at` is one time, ISO-8601 with offset ("2026-03-09T09:00:00-05:00"): runs once. ' +
    '`every` is an interval: seconds (900) or text ("15m", "1h30m"), optionally with an `anchor` instant. ' +
    '`timezone` is an IANA zone ("America/New_York", "Europe/Paris"); "9am ET" means cron "0 9 * * *" with timezone "America/New_York". ' +
    'A bare string is a cron expression. Use preview_schedule to check the next times before creating.',
  input_template:
    'What each run sends to the assistant: text or JSON. Variables: {{date}} (YYYY-MM-DD in the zone), {{day_of_week}}, ' +
    '{{timestamp}} (Unix seconds), {{run_number}}, {{scheduled_for}}, {{schedule.name}}. Example: "Post the digest of open PRs for {{date}}."',
  session_mode:
    '"new" (default): a fresh conversation per run. "persistent": every run continues one thread, so the assistant remembers earlier runs.',
  on_run_completed: 'With session_mode "new": "delete" (default) drops each run\'s thread afterwards, "keep" keeps it.',
  max_concurrent: 'At most this many runs of this schedule at once (default 1).',
  skip_if_running: 'true: an occurrence due while a run is still going is skipped (same as overlap "skip").',
  overlap:
    'When an occurrence is due while a run is going: "skip", "queue" (wait), "allow" (up to max_concurrent), "cancel_previous".',
  timeout: 'Seconds a run may take before it is stopped (null: no limit).',
  retry: 'Retries of a failed run: {"max_attempts": 3, "backoff": "exponential"|"fixed"|"none"}.',
  misfire: 'After downtime: "run_once" (default, one run for what was missed), "skip", or "run_all".',
  catchup_window: 'How far back missed occurrences count (seconds or "1h"; default 3600).',
  jitter: 'A random delay of up to this long before each run (seconds or "30s"), to spread load.',
  start_at: 'Do not run before this instant (ISO-8601 with offset).',
  end_at: 'Do not run at or after this instant (ISO-8601 with offset).',
  max_runs: 'Stop after this many runs.',
  enabled: 'false creates it paused.',
  metadata: 'Free-form JSON labels kept with the schedule.',
  alert_after: 'Record an alert after this many consecutive failures (default 3).',
  webhook: 'An http(s) URL that receives each finished run.',
  on_waiting: 'An http(s) URL that receives each run that starts waiting (with an approval link).',
  concurrency:
    'At most `limit` runs per key at once: {"key": "{{input.customer}}", "limit": 1, "strategy": "queue" | "skip" | "cancel_oldest"}.',
  priority: 'When runs wait for slots, 1 starts first and 5 last (default 3).',
  config: 'Extra run configuration kept with the schedule.',
  pause_after_failures: 'Pause the schedule by itself when this many runs in a row failed (null: never).',
  overlap_counts_waiting:
    'Count runs that wait (for an approval, an event or a timer) toward max_concurrent and overlap (default false).',
  dst: 'Daylight-saving policy: {"repeated": "first"|"last"|"both", "skipped": "shift"|"skip"}; omit for cron\'s usual rules.',
  exclude_dates: 'Dates ("YYYY-MM-DD", in the schedule\'s timezone) on which it does not run, e.g. ["2026-12-25"].',
  precheck:
    'A cheap check before each run: {"http"?: {"url", "method"?, "headers"?}, "condition": CEL over response, last_run, last_precheck, fire_at, input, "on_error"?: "run"|"skip", "timeout"?: "5s"}; false skips the run without calling the agent.',
  alert_on_skips: 'Record an alert when this many occurrences in a row are skipped, for any reason (null: never).',
} as const satisfies Record<keyof typeof scheduleCreateSchema.shape, string>;

type Shape = Record<string, z.ZodType>;

/** The same validators with a description each (a description never changes what is accepted). */
export function described<S extends Shape>(shape: S, descriptions: Partial<Record<keyof S, string>>): S {
  return Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => {
      const text = descriptions[key as keyof S];
      return [key, text === undefined ? schema : schema.describe(text)];
    }),
  ) as S;
}

export const scheduleId = z
  .string()
  .min(1)
  .max(200)
  .describe("The schedule's id (from create_schedule or list_schedules).");

/** create_schedule: the API's create body; `assistant_id` may be omitted by a Kairos assistant (it then targets itself). */
export const createScheduleParameters = z.strictObject({
  ...described(scheduleCreateSchema.shape, scheduleFieldDescriptions),
  assistant_id: scheduleCreateSchema.shape.assistant_id
    .optional()
    .describe(
      `${scheduleFieldDescriptions.assistant_id} A Kairos assistant may omit it to schedule itself; other callers must give it.`,
    ),
});

/** update_schedule: the schedule's id and the API's partial update body. */
export const updateScheduleParameters = z.strictObject({
  schedule_id: scheduleId,
  ...described(scheduleUpdateSchema.shape, scheduleFieldDescriptions),
});

/** preview_schedule: the API's preview body plus how many times to show. */
export const previewScheduleParameters = z.strictObject({
  ...described(previewSchema.shape, scheduleFieldDescriptions),
  count: z.number().int().min(1).max(100).optional().describe('How many fire times to show (default 5, at most 100).'),
});
