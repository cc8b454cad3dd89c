import type { Database, Queryable } from './database.ts';
import type { StepFence } from './run-steps.ts';

export const waitKinds = ['approval', 'event', 'time'] as const;
export type WaitKind = (typeof waitKinds)[number];

/** What a timed-out wait does: approvals reject, approve or fail; events fail or continue. */
export type OnTimeout = 'reject' | 'approve' | 'fail' | 'continue';

/** How a wait ended. */
export type WaitResolution = 'decided' | 'event' | 'timeout' | 'woke' | 'cancelled';

/** What a run asks to wait for, resolved (templates rendered, durations as instants). */
export interface WaitRequest {
  /** Stable across resumptions: the workflow node's key (`steps[2]`, `steps[1]@2.steps[0]`). */
  nodeKey: string;
  nodeName: string;
  kind: WaitKind;
  since: Date;
  /** The due time: a timer's end, an approval's or event's timeout; null: none. */
  until: Date | null;
  prompt: string | null;
  approvers: string[];
  eventName: string | null;
  /** CEL over `event` and `input`; null matches every event of the name. */
  match: string | null;
  lookbackMs: number;
  onTimeout: OnTimeout | null;
  /** What an agent needs to continue when it resumes (an llm conversation); absent for workflow nodes. */
  state?: unknown;
}

/** A row of `waits`. */
export interface WaitRow {
  run_id: string;
  node_key: string;
  node_name: string;
  kind: WaitKind;
  since: Date;
  until: Date | null;
  prompt: string | null;
  approvers: string[];
  event_name: string | null;
  match: string | null;
  lookback_ms: number | string;
  on_timeout: OnTimeout | null;
  resolution: WaitResolution | null;
  resolved_at: Date | null;
  result: unknown;
  decided_by: string | null;
  event_id: string | null;
  state: unknown;
}

/** `waiting_for` of a run (its API shape): what it waits for while `waiting`. */
export interface WaitingFor {
  kind: WaitKind;
  node?: string;
  since: string;
  until?: string;
  prompt?: string;
  event?: string;
}

/**
 * Opens a wait of a run held by this attempt (fenced like every worker write), or returns the one
 * this node opened before (a resumed run finds its wait again: the key is the node's). Undefined
 * when the lease is gone.
 */
export async function insertWait(tx: Queryable, fence: StepFence, wait: WaitRequest): Promise<WaitRow | undefined> {
  const { rows } = await tx.query<WaitRow & { fresh: boolean }>(
    `WITH ok AS (
       SELECT 1 FROM runs WHERE id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'running'
     ), ins AS (
       INSERT INTO waits (run_id, node_key, node_name, kind, since, until, prompt, approvers, event_name, match, lookback_ms, on_timeout, state)
       SELECT $1, $4, $5, $6, $7, $8, $9, $10::text[], $11, $12, $13, $14, $15::jsonb WHERE EXISTS (SELECT 1 FROM ok)
       ON CONFLICT (run_id, node_key) DO NOTHING
       RETURNING *
     )
     SELECT *, true AS fresh FROM ins
     UNION ALL
     SELECT *, false AS fresh FROM waits WHERE run_id = $1 AND node_key = $4 AND EXISTS (SELECT 1 FROM ok)
       AND NOT EXISTS (SELECT 1 FROM ins)`,
    [
      fence.runId,
      fence.workerId,
      fence.attempt,
      wait.nodeKey,
      wait.nodeName,
      wait.kind,
      wait.since,
      wait.until,
      wait.prompt,
      wait.approvers,
      wait.eventName,
      wait.match,
      wait.lookbackMs,
      wait.onTimeout,
      wait.state === undefined ? null : JSON.stringify(wait.state),
    ],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { fresh: _fresh, ...wait_ } = row;
  return wait_;
}

/** Resolves one open wait; undefined when it was resolved already (exactly one resolution wins). */
export async function resolveWait(
  tx: Queryable,
  key: { runId: string; nodeKey: string },
  resolution: { resolution: WaitResolution; at: Date; result: unknown; decidedBy?: string; eventId?: string },
): Promise<WaitRow | undefined> {
  const { rows } = await tx.query<WaitRow>(
    `UPDATE waits SET resolution = $3, resolved_at = $4, result = $5::jsonb, decided_by = $6, event_id = $7
     WHERE run_id = $1 AND node_key = $2 AND resolved_at IS NULL
     RETURNING *`,
    [
      key.runId,
      key.nodeKey,
      resolution.resolution,
      resolution.at,
      JSON.stringify(resolution.result ?? null),
      resolution.decidedBy ?? null,
      resolution.eventId ?? null,
    ],
  );
  return rows[0];
}

/**
 * Sends waiting runs whose wait ended back to `pending` (runnable at `at`, any worker resumes
 * them at their wait node) with a `decision` event each saying how the wait ended. A run still
 * `running` is parking: the park reads the resolved wait and goes to `pending` itself. One
 * statement; notifies the workers. Returns the runs woken.
 */
export async function wakeRuns(
  tx: Queryable,
  channels: Pick<Database, 'channelName'>,
  waits: readonly WaitRow[],
  at: Date,
): Promise<string[]> {
  if (waits.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS u(run_id, data, ord)
     ), e AS (
       INSERT INTO run_events (run_id, seq, kind, data)
       SELECT u.run_id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = u.run_id), 0)
                + row_number() OVER (PARTITION BY u.run_id ORDER BY u.ord), 'decision', u.data::jsonb
       FROM u
     ), w AS (
       -- A resumed run starts whatever its schedule's overlap policy: it started before.
       UPDATE runs r SET status = 'pending', not_before = $3, start_deadline = NULL, waiting_for = NULL,
         ignore_overlap = true
       WHERE r.id IN (SELECT run_id FROM u) AND r.status = 'waiting'
       RETURNING r.id
     )
     SELECT w.id, pg_notify($4, '0') IS NULL AS notified FROM w`,
    [
      waits.map((w) => w.run_id),
      waits.map((w) =>
        JSON.stringify({
          node: w.node_name,
          key: w.node_key,
          kind: w.kind,
          resolution: w.resolution,
          by: w.decided_by,
          result: w.result,
        }),
      ),
      at,
      channels.channelName('runs'),
    ],
  );
  return rows.map((row) => row.id);
}

export async function findWait(db: Queryable, runId: string, nodeKey: string): Promise<WaitRow | undefined> {
  const { rows } = await db.query<WaitRow>('SELECT * FROM waits WHERE run_id = $1 AND node_key = $2', [runId, nodeKey]);
  return rows[0];
}

/** The latest approval wait of a run, locked (a decision is decided under this lock). */
export async function lockLatestApproval(
  tx: Queryable,
  runId: string,
): Promise<(WaitRow & { run_status: string; owner_id: string }) | undefined> {
  const { rows } = await tx.query<WaitRow & { run_status: string; owner_id: string }>(
    `SELECT w.*, r.status AS run_status, r.owner_id FROM waits w JOIN runs r ON r.id = w.run_id
     WHERE w.run_id = $1 AND w.kind = 'approval'
     ORDER BY w.since DESC, w.node_key DESC LIMIT 1
     FOR UPDATE OF w`,
    [runId],
  );
  return rows[0];
}
