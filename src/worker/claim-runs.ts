import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import type { OverlapPolicy } from '../store/schedules.ts';
import { decideOverlap, type OverlapCandidate } from './overlap.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';

/** A run this worker now holds, with what execution needs from its schedule. */
export interface ClaimedRun extends RunRow {
  session_mode: 'new' | 'persistent' | null;
  on_run_completed: 'delete' | 'keep' | null;
}

export interface ClaimRunsResult {
  started: ClaimedRun[];
  /** Runs left pending because they wait for their schedule (overlap `queue`, `allow`, `cancel_previous`). */
  deferred: number;
  /** Runs left pending because another replica was deciding their schedule at that moment. */
  contended: number;
  /** Runs that ended without starting (skipped, capacity), for waiters. */
  ended: string[];
  /** Running runs asked to stop (`cancel_previous`). */
  cancelRequested: string[];
  alerts: FailureAlert[];
}

interface CandidateRow {
  id: string;
  schedule_id: string | null;
  start_deadline: Date | null;
  ignore_overlap: boolean;
  overlap: OverlapPolicy | null;
  max_concurrent: number | null;
}

/**
 * Claims up to `limit` runnable runs in one transaction (DESIGN.md §5): `FOR UPDATE SKIP LOCKED`
 * on the runs, a per-schedule transaction lock (`pg_try_advisory_xact_lock`) so that overlap and
 * `max_concurrent` are decided by one replica at a time, then set-based updates: started runs get
 * a lease, overlap losers are recorded `skipped`, runs past their start deadline end as `capacity`.
 */
export async function claimRuns(
  db: Database,
  options: { now: number; limit: number; workerId: string; leaseMs: number },
): Promise<ClaimRunsResult> {
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    const { rows: candidates } = await tx.query<CandidateRow>(
      `SELECT r.id, r.schedule_id, r.start_deadline, r.ignore_overlap, s.overlap, s.max_concurrent
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id
       WHERE r.status = 'pending' AND r.not_before <= $1
       ORDER BY r.not_before, r.created_at LIMIT $2
       FOR UPDATE OF r SKIP LOCKED`,
      [now, options.limit],
    );
    const empty: ClaimRunsResult = { started: [], deferred: 0, contended: 0, ended: [], cancelRequested: [], alerts: [] };
    if (candidates.length === 0) return empty;

    const scheduleIds = [...new Set(candidates.flatMap((c) => (c.schedule_id ? [c.schedule_id] : [])))];
    const locked = new Set<string>();
    const running = new Map<string, string[]>();
    if (scheduleIds.length > 0) {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM unnest($1::uuid[]) AS id
         WHERE pg_try_advisory_xact_lock(hashtextextended($2 || id::text, 0))`,
        [scheduleIds, `${db.schema}:schedule:`],
      );
      for (const row of rows) locked.add(row.id);
      const { rows: busy } = await tx.query<{ schedule_id: string; ids: string[] }>(
        `SELECT schedule_id, array_agg(id ORDER BY started_at) AS ids FROM runs
         WHERE schedule_id = ANY($1::uuid[]) AND status = 'running' GROUP BY schedule_id`,
        [[...locked]],
      );
      for (const row of busy) running.set(row.schedule_id, row.ids);
    }

    const groups = new Map<string, OverlapCandidate[]>();
    let deferred = 0;
    let contended = 0;
    for (const c of candidates) {
      if (c.schedule_id && !locked.has(c.schedule_id)) {
        contended++;
        continue;
      }
      const key = c.schedule_id ?? `run:${c.id}`;
      const group = groups.get(key) ?? [];
      group.push({
        id: c.id,
        scheduleId: c.schedule_id,
        overlap: c.overlap,
        maxConcurrent: c.max_concurrent,
        ignoreOverlap: c.ignore_overlap,
        startDeadline: c.start_deadline?.getTime() ?? null,
      });
      groups.set(key, group);
    }
    const start: string[] = [];
    const skip: string[] = [];
    const capacity: string[] = [];
    const cancel: string[] = [];
    for (const [key, group] of groups) {
      const outcome = decideOverlap(group, running.get(key) ?? [], options.now);
      cancel.push(...outcome.cancel);
      for (const [id, decision] of outcome.decisions) {
        if (decision === 'start') start.push(id);
        else if (decision === 'skip') skip.push(id);
        else if (decision === 'capacity') capacity.push(id);
        else deferred++;
      }
    }

    const { rows: started } = await tx.query<ClaimedRun>(
      `UPDATE runs r SET status = 'running', lease_owner = $2, lease_expires_at = $3, started_at = $4,
         cancel_requested = false
       WHERE r.id = ANY($1::uuid[])
       RETURNING r.*,
         (SELECT s.session_mode FROM schedules s WHERE s.id = r.schedule_id) AS session_mode,
         (SELECT s.on_run_completed FROM schedules s WHERE s.id = r.schedule_id) AS on_run_completed`,
      [start, options.workerId, new Date(options.now + options.leaseMs), now],
    );
    started.sort((a, b) => a.not_before.getTime() - b.not_before.getTime());
    type Ended = { id: string; schedule_id: string | null; status: RunRow['status']; error_kind: string | null; error: string | null };
    const { rows: ended } = skip.length + capacity.length === 0 ? { rows: [] as Ended[] } : await tx.query<Ended>(
      `UPDATE runs SET
         status = CASE WHEN id = ANY($1::uuid[]) THEN 'skipped' ELSE 'error' END,
         error_kind = CASE WHEN id = ANY($1::uuid[]) THEN NULL ELSE 'capacity' END,
         error = CASE WHEN id = ANY($1::uuid[])
           THEN 'skipped: the schedule already runs its maximum of concurrent runs (overlap policy)'
           ELSE 'could not start before its start deadline: every worker slot was busy' END,
         finished_at = $3
       WHERE id = ANY($1::uuid[]) OR id = ANY($2::uuid[])
       RETURNING id, schedule_id, status, error_kind, error`,
      [skip, capacity, now],
    );
    if (cancel.length > 0) {
      await tx.query(`UPDATE runs SET cancel_requested = true WHERE id = ANY($1::uuid[]) AND status = 'running'`, [cancel]);
      await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [db.channelName('run_cancel'), cancel]);
    }
    await appendRunEvents(tx, [
      ...started.map((run) => ({ runId: run.id, kind: 'attempt_started', data: { attempt: run.attempt, worker: options.workerId } })),
      ...ended.map((run) => ({ runId: run.id, kind: run.status === 'skipped' ? 'skipped' : 'capacity', data: { reason: run.error } })),
    ]);
    const alerts = await recordOutcomes(
      tx,
      ended.map((run) => ({ runId: run.id, scheduleId: run.schedule_id, status: run.status, errorKind: run.error_kind, error: run.error, finishedAt: now })),
    );
    if (ended.length > 0) {
      await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [db.channelName('run_finished'), ended.map((run) => run.id)]);
    }
    return { started, deferred, contended, ended: ended.map((run) => run.id), cancelRequested: cancel, alerts };
  });
}
