import type { Queryable } from './database.ts';

export interface RunEventRow {
  run_id: string;
  seq: number;
  at: Date;
  kind: string;
  data: unknown;
}

/** Appends one event to a run's trace with the next sequence number. */
export async function appendRunEvent(db: Queryable, runId: string, kind: string, data?: unknown): Promise<void> {
  // The primary key (run_id, seq) turns a rare concurrent append into an error: try once more.
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query(
        `INSERT INTO run_events (run_id, seq, kind, data)
         SELECT $1, coalesce(max(seq), 0) + 1, $2, $3::jsonb FROM run_events WHERE run_id = $1`,
        [runId, kind, data === undefined ? null : JSON.stringify(data)],
      );
      return;
    } catch (error) {
      if (attempt >= 2 || (error as { code?: string }).code !== '23505') throw error;
    }
  }
}

/** Appends one event to each of many runs (one statement): `(run_id, kind, data)` triples. */
export async function appendRunEvents(
  db: Queryable,
  events: ReadonlyArray<{ runId: string; kind: string; data?: unknown }>,
): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO run_events (run_id, seq, kind, data)
     SELECT u.run_id, coalesce((SELECT max(seq) FROM run_events e WHERE e.run_id = u.run_id), 0)
              + row_number() OVER (PARTITION BY u.run_id ORDER BY u.ord),
            u.kind, u.data::jsonb
     FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS u(run_id, kind, data, ord)`,
    [
      events.map((event) => event.runId),
      events.map((event) => event.kind),
      events.map((event) => (event.data === undefined ? null : JSON.stringify(event.data))),
    ],
  );
}

/**
 * The stored events with what they leave to the run's steps put back: a `step_finished` of a
 * success does not repeat the output its `run_steps` row holds (written by the same statement).
 */
const readEvents = `SELECT e.run_id, e.seq, e.at, e.kind,
    CASE WHEN e.kind = 'step_finished' AND e.data->>'status' = 'success' AND NOT e.data ? 'output'
      THEN coalesce(e.data || (SELECT jsonb_build_object('output', s.output) FROM run_steps s
        WHERE s.run_id = e.run_id AND s.key = e.data->>'key' AND s.output IS NOT NULL AND s.output <> 'null'::jsonb), e.data)
      ELSE e.data END AS data
  FROM run_events e`;

export async function listRunEvents(db: Queryable, runId: string): Promise<RunEventRow[]> {
  const { rows } = await db.query<RunEventRow>(`${readEvents} WHERE e.run_id = $1 ORDER BY e.seq`, [runId]);
  return rows;
}

/** A run's events after `afterSeq`, in order, at most `limit` (a stream's next page). */
export async function listRunEventsAfter(
  db: Queryable,
  runId: string,
  afterSeq: number,
  limit = 500,
): Promise<RunEventRow[]> {
  const { rows } = await db.query<RunEventRow>(
    `${readEvents} WHERE e.run_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
    [runId, afterSeq, limit],
  );
  return rows;
}
