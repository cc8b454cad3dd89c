import type { Assistant } from '../agents/runtime.ts';
import type { RunOwner } from '../agents/execute-assistant.ts';
import { assistantFromRow } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import type { MisfirePolicy, OverlapPolicy } from '../store/schedules.ts';
import { decideLate, type WorkerHistory } from './late-runs.ts';
import { decideOverlap, type OverlapCandidate } from './overlap.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { pauseInsideClaim } from './test-hooks.ts';

/** A run this worker now holds, with what execution needs from its schedule, assistant and owner. */
export interface ClaimedRun extends RunRow {
  session_mode: 'new' | 'persistent' | null;
  /** The schedule's name and zone (for workflow step templates); null outside schedules. */
  schedule_name: string | null;
  schedule_timezone: string | null;
  on_run_completed: 'delete' | 'keep' | null;
  /** The assistant row as of the claim; null when it no longer exists. */
  assistant: Assistant | null;
  /** The owner as of the claim; null when the user no longer exists. */
  owner: RunOwner | null;
  /** The schedule's LangGraph `config` (`configurable`, `tags`, …), applied to each of its runs; absent outside schedules. */
  config?: Record<string, unknown>;
  /** The schedule's LangGraph `context`, applied to each of its runs; absent outside schedules. */
  context?: unknown;
  /** A cron made through the LangGraph routes (`config.api`): session `new` always gets its fresh thread. */
  fresh_thread?: true;
}

interface StartedRow extends RunRow {
  session_mode: 'new' | 'persistent' | null;
  schedule_name: string | null;
  schedule_timezone: string | null;
  on_run_completed: 'delete' | 'keep' | null;
  /** The schedule's `config` column (where a LangGraph cron's payload `config`, `context`, … are kept). */
  schedule_config: Record<string, unknown> | null;
  assistant_row: Record<string, unknown> | null;
  owner_role: RunOwner['role'] | null;
  owner_exists: boolean;
  owner_disabled: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `to_jsonb(assistants.*)` back to an Assistant (timestamps arrive as ISO strings). */
function toClaimedRun(row: StartedRow): ClaimedRun {
  const {
    assistant_row: a,
    schedule_config,
    owner_role,
    owner_exists,
    owner_disabled,
    config: ownConfig,
    context: ownContext,
    ...run
  } = row;
  // The run's own config/context (an api run's) win over its schedule's.
  const runConfig = ownConfig ?? schedule_config?.config;
  const runContext = ownContext ?? schedule_config?.context;
  const assistant: Assistant | null = a ? assistantFromRow(a) : null;
  return {
    ...run,
    assistant,
    owner: owner_exists && owner_role ? { role: owner_role, disabled: owner_disabled } : null,
    ...(isObject(runConfig) && { config: runConfig }),
    ...(runContext !== undefined && runContext !== null && { context: runContext }),
    ...(schedule_config?.api === 'langgraph' && { fresh_thread: true as const }),
  };
}

export interface ClaimRunsResult {
  started: ClaimedRun[];
  /** Runs left pending because they wait for their schedule (overlap `queue`, `allow`, `cancel_previous`). */
  deferred: number;
  /** Runs left pending because another replica was deciding their schedule (or assistant) at that moment. */
  contended: number;
  /** Runs left pending because their assistant is at its `max_concurrent` or `rate_limit`. */
  held: number;
  /** Runs that ended without starting (skipped, missed, capacity), for waiters. */
  ended: string[];
  /** Running runs asked to stop (`cancel_previous`). */
  cancelRequested: string[];
  alerts: FailureAlert[];
}

interface CandidateRow {
  id: string;
  schedule_id: string | null;
  /** What overlap is decided over: the run's schedule, or its trigger (runs of neither stand alone). */
  group_id: string | null;
  start_deadline: Date | null;
  scheduled_for: Date | null;
  /** 0 once the deadline sweep found it late (its policy still runs it): see expireStartDeadlines. */
  late_by_ms: number | null;
  misfire: MisfirePolicy | null;
  catchup_window_ms: number | null;
  ignore_overlap: boolean;
  waits_for_slot: boolean;
  overlap: OverlapPolicy | null;
  max_concurrent: number | null;
  locked: boolean;
  not_before: Date;
  /** The run's assistant when it has a provider limit (max_concurrent or rate_limit); null otherwise. */
  limited_assistant: string | null;
  assistant_locked: boolean;
}

/** A limited assistant's counts, read after its lock: what may start now. */
interface QuotaRow {
  id: string;
  max_concurrent: number | null;
  rate_limit: number | null;
  running: number;
  recent: number;
}

/** The window `rate_limit` counts over: runs started in the last 60 seconds (sliding). */
export const rateWindowMs = 60_000;

/**
 * Claims up to `limit` runnable runs in one transaction (DESIGN.md §5): `FOR UPDATE SKIP LOCKED`
 * on the runs, a per-schedule (or per-trigger) transaction lock (`pg_try_advisory_xact_lock`) so that overlap and
 * `max_concurrent` are decided by one replica at a time, then set-based updates: started runs get
 * a lease, overlap losers are recorded `skipped`, runs past their start deadline follow their
 * misfire policy (decideLate: start late, or end `missed`, or `capacity` after a whole window
 * without a free slot). Runs whose lease expired (a dead or frozen replica) do not count as running.
 * With `aheadMs`, runs due within that time are claimed too (the worker holds them until their
 * `not_before`, so that the POST leaves on time); their `started_at` is their `not_before`.
 * An assistant's provider limits (`max_concurrent`, `rate_limit`, docs/assistants.md) are decided
 * the same way under a per-assistant try-lock: runs over them stay pending (`held`), never fail.
 */
export async function claimRuns(
  db: Database,
  options: {
    now: number;
    limit: number;
    workerId: string;
    leaseMs: number;
    aheadMs?: number;
    /** The claiming worker's connection and slot history: whether a late run was `capacity` (late-runs.ts). */
    history?: WorkerHistory;
    /**
     * The clock, read when the runs start (after the locks; default `now`). A claim pass's `now`
     * is taken before its transaction waits for its locks: a finish committed meanwhile may free
     * the slot a run takes, and that run's `started_at` must not precede the finish.
     */
    startedAt?: () => number;
  },
): Promise<ClaimRunsResult> {
  const aheadMs = options.aheadMs ?? 0;
  const history: WorkerHistory = options.history ?? { connectedSince: -Infinity, fullThroughout: () => false };
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    // One statement: the candidates (row locks, SKIP LOCKED) and a try-lock per schedule. The
    // running runs are read by the next statement, after the locks, so that its snapshot sees what
    // the previous holder of a schedule's lock committed.
    const { rows: candidates } = await tx.query<CandidateRow>(
      `WITH q AS MATERIALIZED (
         -- Assistants with provider limits and what they have left, as far as this snapshot knows
         -- (a prefilter only: the decision reads the counts again after the lock).
         SELECT a.id, least(
             a.max_concurrent - (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.status = 'running'),
             a.rate_limit - (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.started_at > $5::timestamptz)
           ) AS free
         FROM assistants a WHERE a.max_concurrent IS NOT NULL OR a.rate_limit IS NOT NULL
       ), c AS (
         SELECT r.id, r.schedule_id, r.trigger_id, coalesce(r.schedule_id, r.trigger_id) AS group_id,
           r.start_deadline, r.scheduled_for, r.late_by_ms, r.ignore_overlap, r.waits_for_slot, r.not_before, r.created_at,
           (SELECT q.id FROM q WHERE q.id = r.assistant_id) AS limited_assistant
         FROM runs r
         WHERE r.status = 'pending' AND r.not_before <= $1
           -- A run of a limited assistant is a candidate only while it is among the first of the
           -- assistant's due runs that its quota admits, so that a herd waiting for a provider
           -- never fills the claim's batch and starves other assistants.
           AND coalesce((SELECT CASE WHEN q.free > 0 THEN (
               SELECT count(*) FROM (
                 SELECT 1 FROM runs x
                 WHERE x.assistant_id = r.assistant_id AND x.status = 'pending' AND x.not_before <= $1
                   AND (x.not_before, x.created_at, x.id) < (r.not_before, r.created_at, r.id)
                 LIMIT q.free
               ) ahead) < q.free ELSE false END
             FROM q WHERE q.id = r.assistant_id), true)
           -- A run that waits for a slot (backfill) is a candidate only while its schedule has one
           -- free for it (running runs and older waiting runs hold the others), so that a long
           -- backfill never fills the claim's batch and starves other schedules.
           AND (NOT r.waits_for_slot OR (
             SELECT count(*) FROM (
               SELECT 1 FROM runs x
               WHERE x.schedule_id = r.schedule_id AND x.status IN ('pending', 'running') AND x.id <> r.id
                 AND ((x.status = 'running' AND x.lease_expires_at >= $6) OR (x.waits_for_slot AND x.not_before < r.not_before))
               LIMIT (SELECT max_concurrent FROM schedules s0 WHERE s0.id = r.schedule_id)
             ) busy
           ) < coalesce((SELECT max_concurrent FROM schedules s0 WHERE s0.id = r.schedule_id), 1))
         ORDER BY r.not_before, r.created_at LIMIT $2
         FOR UPDATE OF r SKIP LOCKED
       ), l AS MATERIALIZED (
         SELECT u.sid, pg_try_advisory_xact_lock(hashtextextended($3 || u.sid::text, 0)) AS locked
         FROM (SELECT DISTINCT group_id AS sid FROM c WHERE group_id IS NOT NULL) u
       ), la AS MATERIALIZED (
         SELECT u.aid, pg_try_advisory_xact_lock(hashtextextended($4 || u.aid::text, 0)) AS locked
         FROM (SELECT DISTINCT limited_assistant AS aid FROM c WHERE limited_assistant IS NOT NULL) u
       )
       SELECT c.id, c.schedule_id, c.group_id, c.start_deadline, c.scheduled_for, c.late_by_ms, s.misfire, s.catchup_window_ms,
         c.ignore_overlap, c.waits_for_slot, c.not_before,
         coalesce(s.overlap, t.overlap) AS overlap, coalesce(s.max_concurrent, t.max_concurrent) AS max_concurrent,
         coalesce(l.locked, false) AS locked, c.limited_assistant, coalesce(la.locked, false) AS assistant_locked
       FROM c LEFT JOIN l ON l.sid = c.group_id LEFT JOIN schedules s ON s.id = c.schedule_id
         LEFT JOIN triggers t ON t.id = c.trigger_id AND c.schedule_id IS NULL
         LEFT JOIN la ON la.aid = c.limited_assistant
       ORDER BY c.not_before, c.created_at`,
      [
        new Date(options.now + aheadMs),
        options.limit,
        `${db.schema}:schedule:`,
        `${db.schema}:assistant:`,
        new Date(options.now - rateWindowMs),
        now,
      ],
    );
    const empty: ClaimRunsResult = {
      started: [],
      deferred: 0,
      contended: 0,
      held: 0,
      ended: [],
      cancelRequested: [],
      alerts: [],
    };
    if (candidates.length === 0) return empty;
    await pauseInsideClaim();

    const locked = new Set(candidates.flatMap((c) => (c.group_id && c.locked ? [c.group_id] : [])));
    const running = new Map<string, string[]>();
    if (locked.size > 0) {
      // A run whose lease expired is held by a dead or frozen replica: it is recovered, not
      // counted against max_concurrent (it must not make new runs wait as if it were live).
      const { rows: busy } = await tx.query<{ group_id: string; ids: string[] }>(
        `SELECT coalesce(schedule_id, trigger_id) AS group_id, array_agg(id ORDER BY started_at) AS ids FROM runs
         WHERE (schedule_id = ANY($1::uuid[]) OR (schedule_id IS NULL AND trigger_id = ANY($1::uuid[])))
           -- A waiting run counts only where its schedule says so (overlap_counts_waiting, docs/waits.md).
           AND ((status = 'running' AND lease_expires_at >= $2) OR (status = 'waiting'
             AND EXISTS (SELECT 1 FROM schedules s WHERE s.id = runs.schedule_id AND s.overlap_counts_waiting)))
         GROUP BY 1`,
        [[...locked], now],
      );
      for (const row of busy) running.set(row.group_id, row.ids);
    }

    // What each limited assistant may still start, read after its lock (like the running runs
    // above): running runs against max_concurrent, runs started within the window against rate_limit.
    const lockedAssistants = new Set(
      candidates.flatMap((c) => (c.limited_assistant && c.assistant_locked ? [c.limited_assistant] : [])),
    );
    const quota = new Map<string, number>();
    if (lockedAssistants.size > 0) {
      const { rows: quotas } = await tx.query<QuotaRow>(
        `SELECT a.id, a.max_concurrent, a.rate_limit,
           CASE WHEN a.max_concurrent IS NULL THEN 0 ELSE (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.status = 'running') END::int AS running,
           CASE WHEN a.rate_limit IS NULL THEN 0 ELSE (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.started_at > $2) END::int AS recent
         FROM assistants a WHERE a.id = ANY($1::uuid[])`,
        [[...lockedAssistants], new Date(options.now - rateWindowMs)],
      );
      for (const q of quotas) {
        quota.set(
          q.id,
          Math.min(
            q.max_concurrent === null ? Infinity : q.max_concurrent - q.running,
            q.rate_limit === null ? Infinity : q.rate_limit - q.recent,
          ),
        );
      }
    }

    // A run claimed ahead of its time (`aheadMs`) starts only when nothing can make its overlap
    // decision change before then: no running run of its schedule and no other candidate of it.
    // Anything else is left pending, decided at its time (never skipped or failed early).
    const perSchedule = new Map<string, number>();
    for (const c of candidates) if (c.group_id) perSchedule.set(c.group_id, (perSchedule.get(c.group_id) ?? 0) + 1);
    const early = new Set<string>();
    const groups = new Map<string, OverlapCandidate[]>();
    let deferred = 0;
    let contended = 0;
    let held = 0;
    const endings: Array<{ id: string; status: 'skipped' | 'error'; errorKind: string | null; error: string }> = [];
    for (const c of candidates) {
      if ((c.group_id && !locked.has(c.group_id)) || (c.limited_assistant && !c.assistant_locked)) {
        contended++;
        continue;
      }
      // Over its assistant's quota: it waits for it (before the overlap decision, so that a run
      // held here never makes the policy skip another). Taken in order, oldest first; a reserved
      // run that the policy then leaves waiting only leaves its quota unused until the next claim.
      if (c.limited_assistant) {
        const free = quota.get(c.limited_assistant) ?? 0;
        if (free <= 0) {
          held++;
          continue;
        }
        quota.set(c.limited_assistant, free - 1);
      }
      // Past its start deadline (a fault, or a busy moment): its misfire policy says whether it
      // still starts, late, or ends now (`missed`; `capacity` only after a whole window without a slot).
      const deadline = c.start_deadline?.getTime();
      const late = deadline !== undefined && (deadline < options.now || c.late_by_ms !== null);
      if (late && !c.limited_assistant) {
        const decision = decideLate(lateRunOf(c), history, options.now, newerCandidate(c, candidates, options.now));
        if (decision.kind === 'give_up') {
          const status = decision.reason === 'capacity' ? 'error' : 'skipped';
          endings.push({ id: c.id, status, errorKind: decision.reason, error: decision.error });
          continue;
        }
      }
      if (c.not_before.getTime() > options.now) {
        if (c.group_id && ((running.get(c.group_id)?.length ?? 0) > 0 || perSchedule.get(c.group_id)! > 1)) {
          deferred++;
          continue;
        }
        early.add(c.id);
      }
      const key = c.group_id ?? `run:${c.id}`;
      const group = groups.get(key) ?? [];
      group.push({
        id: c.id,
        scheduleId: c.group_id,
        overlap: c.overlap,
        maxConcurrent: c.max_concurrent,
        ignoreOverlap: c.ignore_overlap,
        waitsForSlot: c.waits_for_slot,
      });
      groups.set(key, group);
    }
    const start: string[] = [];
    const cancel: string[] = [];
    const byId = new Map(candidates.map((c) => [c.id, c]));
    for (const [key, group] of groups) {
      const outcome = decideOverlap(group, running.get(key) ?? []);
      cancel.push(...outcome.cancel);
      for (const [id, decision] of outcome.decisions) {
        if (early.has(id) && decision !== 'start') deferred++;
        else if (decision === 'start') start.push(id);
        else if (decision === 'skip') {
          const c = byId.get(id)!;
          endings.push({
            id,
            status: 'skipped',
            errorKind: null,
            error:
              c.schedule_id === null && c.group_id !== null
                ? 'skipped: the trigger already runs its maximum of concurrent runs (overlap policy)'
                : 'skipped: the schedule already runs its maximum of concurrent runs (overlap policy)',
          });
        } else deferred++;
      }
    }

    // One statement: lease the started runs, append their `attempt_started` events, and return
    // what execution needs (schedule session settings and config, the assistant row, the owner's role), so
    // that the worker can POST without another round trip.
    const { rows: startedRows } =
      start.length === 0
        ? { rows: [] as StartedRow[] }
        : await tx.query<StartedRow>(
            `WITH s AS (
         UPDATE runs r SET status = 'running', lease_owner = $2, lease_expires_at = $3,
           started_at = greatest($4, r.not_before), cancel_requested = false,
           -- Started after its start deadline (or found late by the deadline sweep): says by how much.
           late_by_ms = CASE WHEN r.late_by_ms IS NOT NULL OR $4 > r.start_deadline
             THEN greatest(0, round(extract(epoch FROM ($4 - r.not_before)) * 1000))::int END
         WHERE r.id = ANY($1::uuid[])
         RETURNING r.*
       ), e AS (
         INSERT INTO run_events (run_id, seq, kind, data)
         SELECT s.id, coalesce((SELECT max(x.seq) FROM run_events x WHERE x.run_id = s.id), 0) + 1, 'attempt_started',
           jsonb_build_object('attempt', s.attempt, 'worker', $2::text)
         FROM s
       )
       SELECT s.*, sc.session_mode, sc.on_run_completed, sc.config AS schedule_config, sc.name AS schedule_name, sc.timezone AS schedule_timezone, to_jsonb(a.*) AS assistant_row,
         u.role AS owner_role, u.id IS NOT NULL AS owner_exists, u.disabled_at IS NOT NULL AS owner_disabled
       FROM s
       LEFT JOIN schedules sc ON sc.id = s.schedule_id
       LEFT JOIN assistants a ON a.id = s.assistant_id
       LEFT JOIN users u ON u.id = s.owner_id`,
            [
              start,
              options.workerId,
              new Date(options.now + options.leaseMs),
              new Date(Math.max(options.now, options.startedAt?.() ?? options.now)),
            ],
          );
    const started = startedRows.map(toClaimedRun);
    started.sort((a, b) => a.not_before.getTime() - b.not_before.getTime());
    type Ended = {
      id: string;
      schedule_id: string | null;
      status: RunRow['status'];
      error_kind: string | null;
      error: string | null;
    };
    const { rows: ended } =
      endings.length === 0
        ? { rows: [] as Ended[] }
        : await tx.query<Ended>(
            `UPDATE runs r SET status = u.status, error_kind = u.error_kind, error = u.error, finished_at = $5
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(id, status, error_kind, error)
       WHERE r.id = u.id
       RETURNING r.id, r.schedule_id, r.status, r.error_kind, r.error`,
            [
              endings.map((e) => e.id),
              endings.map((e) => e.status),
              endings.map((e) => e.errorKind),
              endings.map((e) => e.error),
              now,
            ],
          );
    if (cancel.length > 0) {
      await tx.query(`UPDATE runs SET cancel_requested = true WHERE id = ANY($1::uuid[]) AND status = 'running'`, [
        cancel,
      ]);
      await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [
        db.channelName('run_cancel'),
        cancel,
      ]);
    }
    await appendRunEvents(tx, [
      ...ended.map((run) => ({
        runId: run.id,
        kind: run.error_kind === 'missed' ? 'missed' : run.status === 'skipped' ? 'skipped' : 'capacity',
        data: { reason: run.error },
      })),
    ]);
    const alerts = await recordOutcomes(
      tx,
      ended.map((run) => ({
        runId: run.id,
        scheduleId: run.schedule_id,
        status: run.status,
        errorKind: run.error_kind,
        error: run.error,
        finishedAt: now,
      })),
      db,
    );
    if (ended.length > 0) {
      await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [
        db.channelName('run_finished'),
        ended.map((run) => run.id),
      ]);
    }
    return { started, deferred, contended, held, ended: ended.map((run) => run.id), cancelRequested: cancel, alerts };
  });
}

function lateRunOf(c: CandidateRow) {
  return {
    id: c.id,
    scheduleId: c.schedule_id,
    misfire: c.misfire,
    catchupWindowMs: c.catchup_window_ms,
    occurrence: (c.scheduled_for ?? c.not_before).getTime(),
    notBefore: c.not_before.getTime(),
    startDeadline: c.start_deadline!.getTime(),
  };
}

/** Whether a newer due run of the same schedule is among the candidates (it stands for `c` under `run_once`). */
function newerCandidate(c: CandidateRow, candidates: readonly CandidateRow[], now: number): boolean {
  if (c.schedule_id === null) return false;
  const at = (c.scheduled_for ?? c.not_before).getTime();
  return candidates.some(
    (x) =>
      x.schedule_id === c.schedule_id &&
      x.not_before.getTime() <= now &&
      (x.scheduled_for ?? x.not_before).getTime() > at,
  );
}
