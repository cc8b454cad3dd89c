/**
 * The values the `runs` table's `status`, `trigger` and `error_kind` columns take: one list each
 * for the database checks, the API schemas and the types. They sit with the tables because the
 * row types need them; code above the store imports them from `src/runs`, the run's kernel.
 */

/** A run's statuses; `pending`, `running` and `waiting` are live, the rest final. */
export const runStatuses = [
  'pending',
  'running',
  'waiting',
  'success',
  'error',
  'timeout',
  'cancelled',
  'skipped',
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** What created a run. */
export const triggers = ['schedule', 'manual', 'api', 'retry', 'backfill', 'event'] as const;
export type Trigger = (typeof triggers)[number];

/** Why a run did not succeed. */
export const failureKinds = [
  'timeout',
  'assistant_error',
  'capacity',
  'crashed',
  'cancelled',
  'config',
  'workflow_error',
  'missed',
  'excluded',
  'outage',
  'rate_limited',
] as const;
export type FailureKind = (typeof failureKinds)[number];
