import type { RunStatus, RunTrigger } from '../../sdk/index.ts';

/** Every run status, in the order the filters list them. */
export const runStatuses: RunStatus[] = ['pending', 'running', 'success', 'error', 'timeout', 'cancelled', 'skipped'];
/** Every way a run starts, in the order the filters list them. */
export const triggers: RunTrigger[] = ['schedule', 'manual', 'api', 'retry', 'backfill', 'event'];
