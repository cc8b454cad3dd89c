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
  // Gates before a run starts (issue 21): a false precheck, a spent budget, a concurrency-key skip.
  'precheck',
  'budget',
  'concurrency',
] as const;
export type FailureKind = (typeof failureKinds)[number];

/** Why a pending run is held (not started, never turned into `capacity` for it): `runs.held_reason`. */
export const heldReasons = ['provider_limit', 'concurrency_key', 'budget', 'assistant_limit'] as const;
export type HeldReason = (typeof heldReasons)[number];
