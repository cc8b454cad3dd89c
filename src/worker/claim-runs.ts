import type { Assistant } from '../agents/runtime.ts';
import type { RunOwner } from '../agents/execute-assistant.ts';
import { assistantFromRow } from '../store/assistants.ts';
import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import { providerLockPrefix } from '../providers/provider-limits.ts';
import { providerWindowMs } from '../providers/provider-window.ts';
import { recordProviderStarts } from '../store/providers.ts';
import type { Queryable } from '../store/database.ts';
import {
  assistantQuotas,
  endClaimedRuns,
  holdRunsOfKeys,
  lockClaimCandidates,
  markHeldRuns,
  providerQuotas,
  requestCancel,
  runningRunsOf,
  runningRunsOfKeys,
  startClaimedRuns,
  type ClaimCandidate,
  type StartedRunRow,
} from '../store/claim-runs.ts';
import { notifyRunsFinished } from '../store/notifications.ts';
import type { RunRow } from '../store/runs.ts';
import { decideKey, keyOf, keyStates } from './concurrency-keys.ts';
import { decideLate, type WorkerHistory } from './late-runs.ts';
import { decideOverlap, type OverlapCandidate } from './overlap.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { pauseInsideClaim } from './test-hooks.ts';
import { gateBudgets } from '../gates/budget-gate.ts';
import type { Pricing } from '../observability/pricing.ts';

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
  /** Whether the run has opened waits (then execution reads the latest; otherwise no read before the call). */
  has_waits: boolean;
  /** Its `tokens_per_run` budget (docs/gates.md "Budgets"); null or absent: none. */
  tokens_per_run?: number | null;
  /** Its schedule's (or trigger's) precheck as stored, run before the call (src/gates); null when none. */
  precheck: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `to_jsonb(assistants.*)` back to an Assistant (timestamps arrive as ISO strings). */
function toClaimedRun(row: StartedRunRow): ClaimedRun {
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
  /** Runs left pending because their assistant is at its `max_concurrent` or `rate_limit`, or their concurrency key at its limit. */
  held: number;
  /** Runs newly held by their concurrency key (each is a candidate once): the batch may hold more. */
  keyHeld: number;
  /** Runs that ended without starting (skipped, missed, capacity), for waiters. */
  ended: string[];
  /** Running runs asked to stop (`cancel_previous`). */
  cancelRequested: string[];
  alerts: FailureAlert[];
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
    /** The price table, for `usd_per_day` and `usd_per_month` budgets (none: unpriced usage costs 0). */
    pricing?: Pricing;
  },
): Promise<ClaimRunsResult> {
  const aheadMs = options.aheadMs ?? 0;
  const history: WorkerHistory = options.history ?? { connectedSince: -Infinity, fullThroughout: () => false };
  const now = new Date(options.now);
  return db.transaction(async (tx) => {
    // One statement: the candidates (row locks, SKIP LOCKED) and a try-lock per schedule. The
    // running runs are read by the next statement, after the locks, so that its snapshot sees what
    // the previous holder of a schedule's lock committed.
    const candidates = await lockClaimCandidates(tx, {
      dueBy: new Date(options.now + aheadMs),
      limit: options.limit,
      scheduleLockPrefix: `${db.schema}:schedule:`,
      assistantLockPrefix: `${db.schema}:assistant:`,
      keyLockPrefix: `${db.schema}:key:`,
      rateWindowStart: new Date(options.now - rateWindowMs),
      now,
      providerLockPrefix: providerLockPrefix(db.schema),
    });
    const empty: ClaimRunsResult = {
      started: [],
      deferred: 0,
      contended: 0,
      held: 0,
      keyHeld: 0,
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
      const busy = await runningRunsOf(tx, [...locked], now);
      for (const row of busy) running.set(row.group_id, row.ids);
    }

    // What each limited assistant may still start, read after its lock (like the running runs
    // above): running runs against max_concurrent, runs started within the window against rate_limit.
    const lockedAssistants = new Set(
      candidates.flatMap((c) => (c.limited_assistant && c.assistant_locked ? [c.limited_assistant] : [])),
    );
    const quota = new Map<string, number>();
    if (lockedAssistants.size > 0) {
      const quotas = await assistantQuotas(tx, [...lockedAssistants], new Date(options.now - rateWindowMs));
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

    // Likewise each limited provider (docs/gates.md "Providers"), over all the assistants that name it.
    const providerQuota = await providerQuotaOf(tx, candidates, options.now);
    // The running runs of each concurrency key, read after its lock (docs/gates.md).
    const lockedKeys = new Map<string, { scope: string; key: string }>();
    for (const c of candidates)
      if (c.concurrency_key !== null && c.key_locked)
        lockedKeys.set(keyOf(c), { scope: c.concurrency_scope!, key: c.concurrency_key });
    const keys = keyStates(lockedKeys.size > 0 ? await runningRunsOfKeys(tx, [...lockedKeys.values()], now) : []);
    const heldKeys = new Map<string, { scope: string; key: string }>();

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
    const heldRuns: Array<{ id: string; reason: string }> = [];
    let keyHeld = 0;
    const endings: Array<{ id: string; status: 'skipped' | 'error'; errorKind: string | null; error: string }> = [];
    const cancelOldest: string[] = [];
    for (const c of candidates) {
      if (
        (c.group_id && !locked.has(c.group_id)) ||
        (c.limited_assistant && !c.assistant_locked) ||
        (c.limited_provider && !c.provider_locked) ||
        (c.concurrency_key !== null && !c.key_locked)
      ) {
        contended++;
        continue;
      }
      // Over its assistant's quota: it waits for it (before the overlap decision, so that a run
      // held here never makes the policy skip another). Taken in order, oldest first; a reserved
      // run that the policy then leaves waiting only leaves its quota unused until the next claim.
      if (c.limited_assistant && (quota.get(c.limited_assistant) ?? 0) <= 0) {
        held++;
        heldRuns.push({ id: c.id, reason: 'assistant_limit' });
        continue;
      }
      if (c.limited_provider && (providerQuota.get(c.limited_provider) ?? 0) <= 0) {
        held++;
        heldRuns.push({ id: c.id, reason: 'provider_limit' });
        continue;
      }
      // At its concurrency key's limit: held (`queue`, `cancel_oldest`) or skipped (`skip`).
      if (c.concurrency_key !== null) {
        const name = keyOf(c);
        const state = keys.get(name) ?? { running: [], cancelling: 0, promised: 0, started: 0 };
        keys.set(name, state);
        const decision = decideKey(c.concurrency_strategy ?? 'queue', c.concurrency_limit ?? 1, state);
        if (decision.kind === 'skip') {
          endings.push({
            id: c.id,
            status: 'skipped',
            errorKind: 'concurrency',
            error: `skipped: its concurrency key already runs its limit of ${c.concurrency_limit} (strategy skip)`,
          });
          continue;
        }
        if (decision.kind === 'hold') {
          if (decision.cancel) cancelOldest.push(decision.cancel);
          heldKeys.set(name, lockedKeys.get(name)!);
          held++;
          // A queued run is a candidate once (then marked held); a cancelling one until its slot frees.
          if (c.concurrency_strategy === 'queue') keyHeld++;
          continue;
        }
      }
      if (c.limited_assistant) quota.set(c.limited_assistant, quota.get(c.limited_assistant)! - 1);
      if (c.limited_provider) providerQuota.set(c.limited_provider, providerQuota.get(c.limited_provider)! - 1);
      // Past its start deadline (a fault, or a busy moment): its misfire policy says whether it
      // still starts, late, or ends now (`missed`; `capacity` only after a whole window without a slot).
      const deadline = c.start_deadline?.getTime();
      const late = deadline !== undefined && (deadline < options.now || c.late_by_ms !== null);
      // A run queued behind its key waits for it as long as it takes (never `capacity` for it).
      if (late && !c.limited_assistant && !c.limited_provider && c.concurrency_strategy !== 'queue') {
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
    const cancel: string[] = [...cancelOldest];
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

    // Budgets (docs/gates.md "Budgets"): a run over a day or month budget is held, skipped or parked.
    const budgets = await gateBudgets(
      tx,
      db,
      start.filter((id) => byId.get(id)!.budgeted),
      { now, pricing: options.pricing ?? {} },
    );
    const admitted = new Set(budgets.start);
    start.splice(0, start.length, ...start.filter((id) => !byId.get(id)!.budgeted || admitted.has(id)));
    endings.push(...budgets.endings);
    held += budgets.held.length;

    // One statement: lease the started runs, append their `attempt_started` events, and return
    // what execution needs (schedule session settings and config, the assistant row, the owner's role), so
    // that the worker can POST without another round trip.
    const startedRows = await startClaimedRuns(tx, start, {
      workerId: options.workerId,
      leaseExpiresAt: new Date(options.now + options.leaseMs),
      startedAt: new Date(Math.max(options.now, options.startedAt?.() ?? options.now)),
    });
    const started = startedRows.map(toClaimedRun);
    for (const run of started) run.tokens_per_run = budgets.tokensPerRun.get(run.id) ?? null;
    // A started run of a kind other than llm is one request to its provider (an llm run records each call itself).
    await recordProviderStarts(
      tx,
      start.flatMap((id) => {
        const c = byId.get(id)!;
        return c.limited_provider && c.assistant_kind !== 'llm' ? [c.limited_provider] : [];
      }),
      now,
    );
    await markHeldRuns(tx, heldRuns);
    started.sort((a, b) => a.not_before.getTime() - b.not_before.getTime());
    const ended = await endClaimedRuns(tx, endings, now);
    await requestCancel(tx, db, cancel);
    await holdRunsOfKeys(tx, [...heldKeys.values()], new Date(options.now + aheadMs));
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
    await notifyRunsFinished(
      tx,
      db,
      ended.map((run) => run.id),
    );
    return {
      started,
      deferred,
      contended,
      held,
      keyHeld,
      ended: ended.map((run) => run.id),
      cancelRequested: cancel,
      alerts,
    };
  });
}

/** What each limited provider among the candidates may still start, read after its lock. */
async function providerQuotaOf(
  tx: Queryable,
  candidates: readonly ClaimCandidate[],
  now: number,
): Promise<Map<string, number>> {
  const ids = new Set(candidates.flatMap((c) => (c.limited_provider && c.provider_locked ? [c.limited_provider] : [])));
  const quota = new Map<string, number>();
  if (ids.size === 0) return quota;
  for (const q of await providerQuotas(tx, [...ids], new Date(now - providerWindowMs), new Date(now))) {
    const free = Math.min(
      q.paused ? 0 : Infinity,
      q.max_concurrent === null ? Infinity : q.max_concurrent - q.running,
      q.rpm === null ? Infinity : q.rpm - q.requests,
      q.tpm !== null && q.tokens >= q.tpm ? 0 : Infinity,
    );
    quota.set(q.id, free);
  }
  return quota;
}

function lateRunOf(c: ClaimCandidate) {
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
function newerCandidate(c: ClaimCandidate, candidates: readonly ClaimCandidate[], now: number): boolean {
  if (c.schedule_id === null) return false;
  const at = (c.scheduled_for ?? c.not_before).getTime();
  return candidates.some(
    (x) =>
      x.schedule_id === c.schedule_id &&
      x.not_before.getTime() <= now &&
      (x.scheduled_for ?? x.not_before).getTime() > at,
  );
}
