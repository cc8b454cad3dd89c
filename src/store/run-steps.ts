import { prepared, type Queryable } from './database.ts';

export type StepStatus = 'running' | 'waiting' | 'success' | 'error' | 'skipped' | 'cancelled';

/** A row of `run_steps`: one executed node of a workflow run. */
export interface RunStepRow {
  run_id: string;
  key: string;
  parent_key: string | null;
  path: string;
  name: string;
  type: 'step' | 'parallel' | 'loop' | 'router' | 'condition' | 'wait';
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
  /** Copied from the replayed run by a replay (migration 031). */
  reused?: boolean;
}

/** The attempt of the run that writes: step writes are fenced by it like every worker write. */
export interface StepFence {
  runId: string;
  workerId: string;
  attempt: number;
}

/** A node's row as it starts (and, when it ended in the same batch, as it ended). */
export interface StepRowStart {
  key: string;
  parentKey: string | null;
  path: string;
  name: string;
  type: RunStepRow['type'];
  status: StepStatus;
  attempt: number;
  iteration: number | null;
  ord: number;
  input: unknown;
  output: unknown;
  error: unknown;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

/** How a node whose row is stored already ended; `durationMs` null: from its stored start. */
export interface StepRowEnd {
  key: string;
  status: Exclude<StepStatus, 'running'>;
  output: unknown;
  error: unknown;
  finishedAt: Date;
  durationMs: number | null;
}

/** A trace event; `durationOf` names the key whose stored duration is added as `duration_ms`. */
export interface StepEvent {
  kind: string;
  at: Date;
  data: unknown;
  durationOf: string | null;
}

/** What one statement writes: rows started (upserted), rows ended, events in order. */
export interface StepWrites {
  starts: readonly StepRowStart[];
  ends: readonly StepRowEnd[];
  events: readonly StepEvent[];
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** Whether a write failed on the run_events key (two appends racing for one sequence number). */
const seqConflict = (error: unknown) => (error as { code?: string }).code === '23505';

/**
 * Writes a batch of a workflow run's step starts, step ends and trace events in ONE statement,
 * only while the run is held by this attempt (its fence); events get consecutive sequence numbers
 * in the order given. A key appears at most once in `starts` and `ends` together (the caller
 * merges a start and an end of one batch). Returns false when the lease is gone (nothing written).
 */
export async function recordStepWrites(db: Queryable, fence: StepFence, writes: StepWrites): Promise<boolean> {
  const { starts, ends, events } = writes;
  const params = [
    fence.runId,
    fence.workerId,
    fence.attempt,
    starts.map((r) => r.key),
    starts.map((r) => r.parentKey),
    starts.map((r) => r.path),
    starts.map((r) => r.name),
    starts.map((r) => r.type),
    starts.map((r) => r.status),
    starts.map((r) => r.attempt),
    starts.map((r) => r.iteration),
    starts.map((r) => r.ord),
    starts.map((r) => json(r.input)),
    starts.map((r) => json(r.output)),
    starts.map((r) => json(r.error)),
    starts.map((r) => r.startedAt),
    starts.map((r) => r.finishedAt),
    starts.map((r) => r.durationMs),
    ends.map((r) => r.key),
    ends.map((r) => r.status),
    ends.map((r) => json(r.output)),
    ends.map((r) => json(r.error)),
    ends.map((r) => r.finishedAt),
    ends.map((r) => r.durationMs),
    events.map((e) => e.at),
    events.map((e) => e.kind),
    events.map((e) => json(e.data)),
    events.map((e) => e.durationOf),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await db.query<{ ok: boolean }>(
        prepared(
          'record_step_writes',
          `WITH ok AS (
           SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
         ), ins AS (
           INSERT INTO run_steps (run_id, key, parent_key, path, name, type, status, attempt, iteration, ord, input, output, error, started_at, finished_at, duration_ms)
           SELECT $1::uuid, u.key, u.parent_key, u.path, u.name, u.type, u.status, u.attempt, u.iteration, u.ord, u.input::jsonb, u.output::jsonb,
             u.error::jsonb, u.started_at, u.finished_at, u.duration_ms
           FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::int[], $13::text[],
             $14::text[], $15::text[], $16::timestamptz[], $17::timestamptz[], $18::int[])
             AS u(key, parent_key, path, name, type, status, attempt, iteration, ord, input, output, error, started_at, finished_at, duration_ms)
           WHERE EXISTS (SELECT 1 FROM ok)
           ON CONFLICT (run_id, key) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, input = EXCLUDED.input,
             started_at = EXCLUDED.started_at, output = EXCLUDED.output, error = EXCLUDED.error, finished_at = EXCLUDED.finished_at,
             duration_ms = EXCLUDED.duration_ms
         ), upd AS (
           UPDATE run_steps s SET status = u.status, output = u.output::jsonb, error = u.error::jsonb, finished_at = u.finished_at,
             duration_ms = coalesce(u.duration_ms, greatest(0, round(extract(epoch FROM (u.finished_at - s.started_at)) * 1000))::int)
           FROM unnest($19::text[], $20::text[], $21::text[], $22::text[], $23::timestamptz[], $24::int[])
             AS u(key, status, output, error, finished_at, duration_ms)
           WHERE s.run_id = $1 AND s.key = u.key AND EXISTS (SELECT 1 FROM ok)
           RETURNING s.key, s.duration_ms
         ), ev AS (
           INSERT INTO run_events (run_id, seq, at, kind, data)
           SELECT $1::uuid, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = $1), 0) + u.ord, u.at, u.kind,
             CASE WHEN u.duration_of IS NULL THEN u.data::jsonb
               ELSE u.data::jsonb || jsonb_build_object('duration_ms', (SELECT d.duration_ms FROM upd d WHERE d.key = u.duration_of LIMIT 1)) END
           FROM unnest($25::timestamptz[], $26::text[], $27::text[], $28::text[]) WITH ORDINALITY AS u(at, kind, data, duration_of, ord)
           WHERE EXISTS (SELECT 1 FROM ok)
         )
         SELECT EXISTS (SELECT 1 FROM ok) AS ok`,
        ),
        params,
      );
      return rows[0]?.ok === true;
    } catch (error) {
      if (attempt >= 5 || !seqConflict(error)) throw error;
    }
  }
}

/**
 * A run's steps in execution order. A leaf step's row is written as it ends (recordStepWrites):
 * a step still running (or whose attempt's end was never written: its worker died) is shown
 * `running` from its latest `step_started` event, which carries its parent and place.
 */
export async function listRunSteps(db: Queryable, runId: string): Promise<RunStepRow[]> {
  const { rows } = await db.query<RunStepRow>(
    `WITH started AS (
       SELECT DISTINCT ON (e.data->>'key') e.data, e.at FROM run_events e
       WHERE e.run_id = $1 AND e.kind = 'step_started' AND e.data ? 'ord'
       ORDER BY e.data->>'key', e.seq DESC
     ), running AS (
       SELECT d.data, d.at FROM started d
       WHERE NOT EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = $1 AND s.key = d.data->>'key' AND s.started_at >= d.at)
     )
     SELECT s.* FROM run_steps s
     WHERE s.run_id = $1 AND NOT EXISTS (SELECT 1 FROM running r WHERE r.data->>'key' = s.key)
     UNION ALL
     SELECT $1::uuid, r.data->>'key', r.data->>'parent_key', r.data->>'path', r.data->>'name', r.data->>'type', 'running',
       (r.data->>'attempt')::int, (r.data->>'iteration')::int, (r.data->>'ord')::int, r.data->'input', NULL, NULL,
       r.at, NULL, NULL, false
     FROM running r
     ORDER BY started_at, ord, key`,
    [runId],
  );
  return rows;
}
