import { randomUUID } from 'node:crypto';
import { copyRunSteps } from '../store/copy-run-steps.ts';
import type { Database } from '../store/database.ts';
import type { RunRow } from '../store/runs.ts';
import { createRuns } from './create-runs.ts';

/**
 * Creates the replay of `source`: a run (`trigger: "api"`, `replay_of` set, due now) of the same
 * assistant, or of the same workflow at the version `source` walked, with its input, owner,
 * metadata, config, context, timeout and retries; not on its thread. The recorded nodes named in
 * `reuse` are copied into it, marked `reused`, in the same transaction, so the runner takes their
 * outputs and does not call them. Resolves with the new run's id.
 *
 * @example
 * const id = await createReplayRun(db, source, ['steps[0]'], { now, startDeadlineMs });
 */
export async function createReplayRun(
  db: Database,
  source: RunRow,
  reuse: string[],
  at: { now: number; startDeadlineMs: number },
): Promise<string> {
  const id = randomUUID();
  const { now, startDeadlineMs } = at;
  await db.transaction(async (tx) => {
    await createRuns(
      db,
      [
        {
          id,
          assistant_id: source.assistant_id,
          workflow_id: source.workflow_id,
          workflow_version: source.workflow_id === null ? null : source.workflow_version,
          replay_of: source.id,
          owner_id: source.owner_id,
          trigger: 'api',
          not_before: new Date(now),
          start_deadline: new Date(now + startDeadlineMs),
          input: source.input,
          metadata: source.metadata,
          config: source.config ?? null,
          context: source.context ?? null,
          policy: {
            max_attempts: source.max_attempts,
            timeout_ms: source.timeout_ms,
            retry_backoff_ms: source.retry_backoff_ms,
            retry_backoff_factor: source.retry_backoff_factor,
            retry_backoff_max_ms: source.retry_backoff_max_ms,
          },
          created_at: new Date(now),
        },
      ],
      tx,
    );
    await copyRunSteps(tx, source.id, id, reuse);
  });
  return id;
}
