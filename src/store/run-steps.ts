import type { Queryable } from './database.ts';

export type StepStatus = 'running' | 'success' | 'error' | 'skipped' | 'cancelled';

/** A row of `run_steps`: one executed node of a workflow run. */
export interface RunStepRow {
  run_id: string;
  key: string;
  parent_key: string | null;
  path: string;
  name: string;
  type: 'step' | 'parallel' | 'loop' | 'router' | 'condition';
  status: StepStatus;
  attempt: number;
  iteration: number | null;
  ord: number;
  input: unknown;
  output: unknown;
  error: unknown;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
}

/** The attempt of the run that writes: step writes are fenced by it like every worker write. */
export interface StepFence {
  runId: string;
  workerId: string;
  attempt: number;
}

export interface StepStart {
  key: string;
  parentKey: string | null;
  path: string;
  name: string;
  type: RunStepRow['type'];
  attempt: number;
  iteration: number | null;
  ord: number;
  input: unknown;
  at: Date;
}

export interface StepEnd {
  key: string;
  status: Exclude<StepStatus, 'running'>;
  output: unknown;
  error: unknown;
  at: Date;
  /** The trace event's data. */
  event: Record<string, unknown>;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** Whether a write failed on the run_events key (two appends racing for one sequence number). */
const seqConflict = (error: unknown) => (error as { code?: string }).code === '23505';

async function withSeqRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 5 || !seqConflict(error)) throw error;
    }
  }
}

/**
 * Records that a node started (status `running`) and appends its `step_started` event, in one
 * statement, only while the run is held by this attempt. Returns false when the lease is gone.
 */
export async function recordStepStart(db: Queryable, fence: StepFence, step: StepStart, event: Record<string, unknown>): Promise<boolean> {
  return withSeqRetry(async () => {
    const { rows } = await db.query(
      `WITH ok AS (
         SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       ), s AS (
         INSERT INTO run_steps (run_id, key, parent_key, path, name, type, status, attempt, iteration, ord, input, started_at)
         SELECT $1::uuid, $4::text, $5::text, $6::text, $7::text, $8::text, 'running', $9::int, $10::int, $11::int, $12::jsonb, $13::timestamptz FROM ok
         ON CONFLICT (run_id, key) DO UPDATE SET status = 'running', attempt = EXCLUDED.attempt, input = EXCLUDED.input,
           started_at = EXCLUDED.started_at, output = NULL, error = NULL, finished_at = NULL, duration_ms = NULL
         RETURNING key
       ), e AS (
         INSERT INTO run_events (run_id, seq, at, kind, data)
         SELECT $1::uuid, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = $1), 0) + 1, $13::timestamptz, 'step_started', $14::jsonb FROM s
       )
       SELECT key FROM s`,
      [
        fence.runId, fence.workerId, fence.attempt, step.key, step.parentKey, step.path, step.name, step.type, step.attempt,
        step.iteration, step.ord, json(step.input), step.at, JSON.stringify(event),
      ],
    );
    return rows.length > 0;
  });
}

/**
 * Records how a node ended (output or error, duration) and appends its `step_finished` event, in
 * one statement, fenced like {@link recordStepStart}. Returns false when the lease is gone.
 */
export async function recordStepEnd(db: Queryable, fence: StepFence, end: StepEnd): Promise<boolean> {
  return withSeqRetry(async () => {
    const { rows } = await db.query(
      `WITH ok AS (
         SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
       ), s AS (
         UPDATE run_steps SET status = $5::text, output = $6::jsonb, error = $7::jsonb, finished_at = $8::timestamptz,
           duration_ms = greatest(0, round(extract(epoch FROM ($8::timestamptz - started_at)) * 1000))::int
         WHERE run_id = $1 AND key = $4 AND EXISTS (SELECT 1 FROM ok)
         RETURNING key, duration_ms
       ), e AS (
         INSERT INTO run_events (run_id, seq, at, kind, data)
         SELECT $1::uuid, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = $1), 0) + 1, $8::timestamptz, 'step_finished',
           $9::jsonb || jsonb_build_object('duration_ms', s.duration_ms) FROM s
       )
       SELECT key FROM s`,
      [fence.runId, fence.workerId, fence.attempt, end.key, end.status, json(end.output), json(end.error), end.at, JSON.stringify(end.event)],
    );
    return rows.length > 0;
  });
}

/** A run's steps in execution order. */
export async function listRunSteps(db: Queryable, runId: string): Promise<RunStepRow[]> {
  const { rows } = await db.query<RunStepRow>('SELECT * FROM run_steps WHERE run_id = $1 ORDER BY started_at, ord, key', [runId]);
  return rows;
}
