// The public API of Kairos' cron engine. `src/time` is pure: no I/O, no imports from the project.
export { CronError, type CronErrorCode } from './cron-error.ts';
export { FIELD_SPECS, type CronField, type CronFieldName, type CronItem } from './cron-fields.ts';
export { parseCron, type ParseOptions, type ParsedCron } from './cron-parse.ts';
export {
  compileCron,
  next,
  MAX_NEXT_COUNT,
  SEARCH_HORIZON_YEARS,
  type CompileOptions,
  type CronSchedule,
} from './next-fire.ts';
export {
  CLOCK_CHANGE_BACKWARD_MS,
  CLOCK_CHANGE_FORWARD_MS,
  REPEATED_POLICIES,
  resolveDstPolicy,
  SKIPPED_POLICIES,
  type DstPolicy,
  type RepeatedPolicy,
  type SkippedPolicy,
} from './dst-policy.ts';
export { describe } from './describe.ts';
export { nextOffsetTransition, type OffsetTransition } from './next-transition.ts';
export { isValidTimeZone, validateTimeZone } from './zone-name.ts';
export { wallDateInZone, wallTimeToInstant } from './wall-date.ts';
export type { WallDate } from './calendar.ts';
