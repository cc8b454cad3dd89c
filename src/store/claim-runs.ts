import type { Database, Queryable } from './database.ts';
import type { UserRole } from './users.ts';
import type { RunRow } from './runs.ts';
import type { MisfirePolicy, OverlapPolicy } from './schedules.ts';

/**
 * The statements of one claim (src/worker/claim-runs.ts decides; these read and write). Each is
 * one round trip; they run in the claim's transaction.
 */

/** A pending run that may start now, with what the claim decides over (overlap, misfire, limits). */
export interface ClaimCandidate {
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
  /** Whether its schedule, assistant or owner has a budget (then the budget gate decides it). */
  budgeted: boolean;
  /** The provider its assistant names when that has limits or a pause (docs/gates.md "Providers"); null otherwise. */
  limited_provider: string | null;
  provider_locked: boolean;
  /** The run's assistant kind (an llm run records its own calls; other kinds count one request at start). */
  assistant_kind: string | null;
  /** 1 (first) to 5: the claim takes due runs by (priority, not_before, created_at). */
  priority: number;
  /** The run's concurrency key (with its group, limit and strategy; docs/gates.md), null when none. */
  concurrency_scope: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  concurrency_strategy: 'queue' | 'skip' | 'cancel_oldest' | null;
  /** Whether this claim holds the key's try-lock (false for runs without a key). */
  key_locked: boolean;
}

/**
 * One statement: the candidates (row locks, SKIP LOCKED) and a try-lock per schedule (or trigger)
 * and per limited assistant. Runs due by `dueBy`, at most `limit`; a limited assistant's runs only
 * while its quota (as far as this snapshot knows) admits them, and a backfill run only while its
 * schedule has a slot for it.
 */
export async function lockClaimCandidates(
  tx: Queryable,
  options: {
    dueBy: Date;
    limit: number;
    scheduleLockPrefix: string;
    assistantLockPrefix: string;
    /** The prefix of the per-key try-lock (concurrency keys). */
    keyLockPrefix: string;
    /** Runs started after this count against `rate_limit` (and provider calls after it against rpm/tpm). */
    rateWindowStart: Date;
    now: Date;
    providerLockPrefix: string;
  },
): Promise<ClaimCandidate[]> {
  const { rows } = await tx.query<ClaimCandidate>(
    `WITH q AS MATERIALIZED (
         -- Assistants with provider limits and what they have left, as far as this snapshot knows
         -- (a prefilter only: the decision reads the counts again after the lock).
         SELECT a.id, least(
             a.max_concurrent - (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.status = 'running'),
             a.rate_limit - (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.started_at > $5::timestamptz)
           ) AS free
         FROM assistants a WHERE a.max_concurrent IS NOT NULL OR a.rate_limit IS NOT NULL
       ), qp AS MATERIALIZED (
         -- Providers with limits or a pause and what they have left, likewise a prefilter: runs of
         -- every assistant that names one count together (docs/gates.md "Providers").
         SELECT p.id, p.owner_id, p.name, CASE WHEN p.paused_until > $6 THEN 0 ELSE least(
             p.max_concurrent - (SELECT count(*) FROM runs x JOIN assistants xa ON xa.id = x.assistant_id
               WHERE xa.owner_id = p.owner_id AND xa.provider = p.name AND x.status = 'running'),
             p.rpm - (SELECT count(*) FROM provider_calls pc WHERE pc.provider_id = p.id AND pc.at > $5),
             CASE WHEN p.tpm <= (SELECT coalesce(sum(pc.tokens), 0) FROM provider_calls pc
               WHERE pc.provider_id = p.id AND pc.at > $5) THEN 0 END
           ) END AS free
         FROM providers p
         WHERE p.rpm IS NOT NULL OR p.tpm IS NOT NULL OR p.max_concurrent IS NOT NULL OR p.paused_until > $6
       ), ra AS MATERIALIZED (
         SELECT a.id AS assistant_id, qp.id AS provider_id, coalesce(qp.free, 1000000) AS free
         FROM qp JOIN assistants a ON a.owner_id = qp.owner_id AND a.provider = qp.name
       ), h AS (
         -- Due runs that a spent quota holds say why (runs.held_reason; cleared when they start).
         UPDATE runs r SET held_reason = CASE WHEN EXISTS (SELECT 1 FROM ra WHERE ra.assistant_id = r.assistant_id AND ra.free <= 0)
             THEN 'provider_limit' ELSE 'assistant_limit' END
         WHERE r.id IN (
           SELECT x.id FROM runs x
           WHERE x.assistant_id = ANY (ARRAY(SELECT ra.assistant_id FROM ra WHERE ra.free <= 0
                                              UNION SELECT q.id FROM q WHERE q.free <= 0))
             AND x.status = 'pending' AND x.not_before <= $1 AND x.held_reason IS NULL
           FOR UPDATE SKIP LOCKED)
       ), c AS (
         SELECT r.id, r.schedule_id, r.trigger_id, coalesce(r.schedule_id, r.trigger_id) AS group_id,
           r.start_deadline, r.scheduled_for, r.late_by_ms, r.ignore_overlap, r.waits_for_slot, r.not_before, r.created_at,
           r.assistant_id, r.owner_id,
           (SELECT q.id FROM q WHERE q.id = r.assistant_id) AS limited_assistant,
           (SELECT ra.provider_id FROM ra WHERE ra.assistant_id = r.assistant_id) AS limited_provider,
           r.priority, r.concurrency_scope, r.concurrency_key, r.concurrency_limit, r.concurrency_strategy
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
           -- Likewise for the provider its assistant names, over the due runs of all its assistants.
           AND coalesce((SELECT CASE WHEN ra.free > 0 THEN (
               SELECT count(*) FROM (
                 SELECT 1 FROM runs x JOIN ra rx ON rx.assistant_id = x.assistant_id AND rx.provider_id = ra.provider_id
                 WHERE x.status = 'pending' AND x.not_before <= $1
                   AND (x.not_before, x.created_at, x.id) < (r.not_before, r.created_at, r.id)
                 LIMIT ra.free
               ) ahead) < ra.free ELSE false END
             FROM ra WHERE ra.assistant_id = r.assistant_id), true)
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
           -- A run queued behind its concurrency key is a candidate only while its key has a slot
           -- for it (running runs and older pending runs hold the others: first in, first out),
           -- so that a long queue never fills the claim's batch and starves other keys; and,
           -- once, the first of its key's runs not yet marked held, for the claim to mark them.
           AND (r.concurrency_strategy IS DISTINCT FROM 'queue' OR (
             SELECT count(*) FROM (
               SELECT 1 FROM runs x
               WHERE x.concurrency_scope = r.concurrency_scope AND x.concurrency_key = r.concurrency_key
                 AND x.status IN ('pending', 'running') AND x.concurrency_key IS NOT NULL AND x.id <> r.id
                 AND ((x.status = 'running' AND x.lease_expires_at >= $6)
                   OR (x.status = 'pending' AND (x.not_before, x.created_at, x.id) < (r.not_before, r.created_at, r.id)))
               LIMIT r.concurrency_limit
             ) busy
           ) < r.concurrency_limit OR (r.held_reason IS DISTINCT FROM 'concurrency_key' AND NOT EXISTS (
             SELECT 1 FROM runs x
             WHERE x.concurrency_scope = r.concurrency_scope AND x.concurrency_key = r.concurrency_key
               AND x.status = 'pending' AND x.concurrency_key IS NOT NULL AND x.held_reason IS DISTINCT FROM 'concurrency_key'
               AND (x.not_before, x.created_at, x.id) < (r.not_before, r.created_at, r.id))))
         ORDER BY r.priority, r.not_before, r.created_at LIMIT $2
         FOR UPDATE OF r SKIP LOCKED
       ), l AS MATERIALIZED (
         SELECT u.sid, pg_try_advisory_xact_lock(hashtextextended($3 || u.sid::text, 0)) AS locked
         FROM (SELECT DISTINCT group_id AS sid FROM c WHERE group_id IS NOT NULL) u
       ), la AS MATERIALIZED (
         SELECT u.aid, pg_try_advisory_xact_lock(hashtextextended($4 || u.aid::text, 0)) AS locked
         FROM (SELECT DISTINCT limited_assistant AS aid FROM c WHERE limited_assistant IS NOT NULL) u
       ), lp AS MATERIALIZED (
         SELECT u.pid, pg_try_advisory_xact_lock(hashtextextended($7 || u.pid::text, 0)) AS locked
         FROM (SELECT DISTINCT limited_provider AS pid FROM c WHERE limited_provider IS NOT NULL) u
       ), lk AS MATERIALIZED (
         SELECT u.k, pg_try_advisory_xact_lock(hashtextextended($8 || u.k, 0)) AS locked
         FROM (SELECT DISTINCT concurrency_scope || '/' || concurrency_key AS k FROM c WHERE concurrency_key IS NOT NULL) u
       )
       SELECT c.id, c.schedule_id, c.group_id, c.start_deadline, c.scheduled_for, c.late_by_ms, s.misfire, s.catchup_window_ms,
         c.ignore_overlap, c.waits_for_slot, c.not_before,
         coalesce(s.overlap, t.overlap) AS overlap, coalesce(s.max_concurrent, t.max_concurrent) AS max_concurrent,
         coalesce(l.locked, false) AS locked, c.limited_assistant, coalesce(la.locked, false) AS assistant_locked,
         (s.budget IS NOT NULL OR EXISTS (SELECT 1 FROM assistants ab WHERE ab.id = c.assistant_id AND ab.budget IS NOT NULL)
           OR EXISTS (SELECT 1 FROM users ub WHERE ub.id = c.owner_id AND ub.budget IS NOT NULL)) AS budgeted,
         c.limited_provider, coalesce(lp.locked, false) AS provider_locked,
         (SELECT a.kind FROM assistants a WHERE a.id = c.assistant_id) AS assistant_kind,
         c.priority, c.concurrency_scope, c.concurrency_key, c.concurrency_limit, c.concurrency_strategy, coalesce(lk.locked, false) AS key_locked
       FROM c LEFT JOIN l ON l.sid = c.group_id LEFT JOIN schedules s ON s.id = c.schedule_id
         LEFT JOIN triggers t ON t.id = c.trigger_id AND c.schedule_id IS NULL
         LEFT JOIN la ON la.aid = c.limited_assistant
         LEFT JOIN lp ON lp.pid = c.limited_provider
         LEFT JOIN lk ON lk.k = c.concurrency_scope || '/' || c.concurrency_key
       ORDER BY c.priority, c.not_before, c.created_at`,
    [
      options.dueBy,
      options.limit,
      options.scheduleLockPrefix,
      options.assistantLockPrefix,
      options.rateWindowStart,
      options.now,
      options.providerLockPrefix,
      options.keyLockPrefix,
    ],
  );
  return rows;
}

/** The running runs of one concurrency key, read after its lock. */
export interface KeyRunning {
  scope: string;
  key: string;
  /** Running runs not asked to stop, oldest first. */
  ids: string[];
  /** Running runs already asked to stop (`cancel_oldest`): their slots are promised to waiting runs. */
  cancelling: number;
}

/** The running runs of these keys (`scope`/`key` pairs) whose lease has not expired by `now`. */
export async function runningRunsOfKeys(
  tx: Queryable,
  keys: ReadonlyArray<{ scope: string; key: string }>,
  now: Date,
): Promise<KeyRunning[]> {
  const { rows } = await tx.query<KeyRunning>(
    `SELECT r.concurrency_scope AS scope, r.concurrency_key AS key,
         coalesce(array_agg(r.id ORDER BY r.started_at, r.id) FILTER (WHERE NOT r.cancel_requested), '{}') AS ids,
         (count(*) FILTER (WHERE r.cancel_requested))::int AS cancelling
       FROM runs r JOIN unnest($1::text[], $2::text[]) AS k(scope, key)
         ON r.concurrency_scope = k.scope AND r.concurrency_key = k.key
       WHERE r.status = 'running' AND r.concurrency_key IS NOT NULL AND r.lease_expires_at >= $3
       GROUP BY 1, 2`,
    [keys.map((k) => k.scope), keys.map((k) => k.key), now],
  );
  return rows;
}

/**
 * Says why the due pending runs of these keys wait (`held_reason = 'concurrency_key'`), those
 * behind the head of the queue too (they are not candidates of the claim).
 */
export async function holdRunsOfKeys(
  tx: Queryable,
  keys: ReadonlyArray<{ scope: string; key: string }>,
  dueBy: Date,
): Promise<void> {
  if (keys.length === 0) return;
  await tx.query(
    `UPDATE runs r SET held_reason = 'concurrency_key'
       FROM unnest($1::text[], $2::text[]) AS k(scope, key)
       WHERE r.concurrency_scope = k.scope AND r.concurrency_key = k.key AND r.concurrency_key IS NOT NULL
         AND r.status = 'pending' AND r.not_before <= $3 AND r.held_reason IS DISTINCT FROM 'concurrency_key'`,
    [keys.map((k) => k.scope), keys.map((k) => k.key), dueBy],
  );
}

/**
 * The running runs of these schedules (or triggers), oldest first, whose lease has not expired
 * by `now` (a run held by a dead replica is recovered, not counted against max_concurrent).
 */
export async function runningRunsOf(
  tx: Queryable,
  groupIds: readonly string[],
  now: Date,
): Promise<Array<{ group_id: string; ids: string[] }>> {
  const { rows } = await tx.query<{ group_id: string; ids: string[] }>(
    `SELECT coalesce(schedule_id, trigger_id) AS group_id, array_agg(id ORDER BY started_at) AS ids FROM runs
         WHERE (schedule_id = ANY($1::uuid[]) OR (schedule_id IS NULL AND trigger_id = ANY($1::uuid[])))
           -- A waiting run counts only where its schedule says so (overlap_counts_waiting, docs/waits.md).
           AND ((status = 'running' AND lease_expires_at >= $2) OR (status = 'waiting'
             AND EXISTS (SELECT 1 FROM schedules s WHERE s.id = runs.schedule_id AND s.overlap_counts_waiting)))
         GROUP BY 1`,
    [groupIds, now],
  );
  return rows;
}

/** A limited assistant's counts, read after its lock: what may start now. */
export interface AssistantQuota {
  id: string;
  max_concurrent: number | null;
  rate_limit: number | null;
  running: number;
  recent: number;
}

/** Each limited assistant's limits and counts: running runs, and runs started after `rateWindowStart`. */
export async function assistantQuotas(
  tx: Queryable,
  assistantIds: readonly string[],
  rateWindowStart: Date,
): Promise<AssistantQuota[]> {
  const { rows } = await tx.query<AssistantQuota>(
    `SELECT a.id, a.max_concurrent, a.rate_limit,
           CASE WHEN a.max_concurrent IS NULL THEN 0 ELSE (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.status = 'running') END::int AS running,
           CASE WHEN a.rate_limit IS NULL THEN 0 ELSE (SELECT count(*) FROM runs x WHERE x.assistant_id = a.id AND x.started_at > $2) END::int AS recent
         FROM assistants a WHERE a.id = ANY($1::uuid[])`,
    [assistantIds, rateWindowStart],
  );
  return rows;
}

/** A limited provider's limits and counts, read after its lock: what may start now. */
export interface ProviderQuota {
  id: string;
  max_concurrent: number | null;
  rpm: number | null;
  tpm: number | null;
  paused: boolean;
  running: number;
  requests: number;
  tokens: number;
}

/**
 * Each limited provider's limits and counts: running runs of the assistants that name it, and
 * the requests and tokens of its window (calls after `windowStart`); paused while `now` < paused_until.
 */
export async function providerQuotas(
  tx: Queryable,
  providerIds: readonly string[],
  windowStart: Date,
  now: Date,
): Promise<ProviderQuota[]> {
  const { rows } = await tx.query<ProviderQuota>(
    `SELECT p.id, p.max_concurrent, p.rpm, p.tpm, coalesce(p.paused_until > $3, false) AS paused,
           (SELECT count(*) FROM runs x JOIN assistants a ON a.id = x.assistant_id
             WHERE a.owner_id = p.owner_id AND a.provider = p.name AND x.status = 'running')::int AS running,
           (SELECT count(*) FROM provider_calls c WHERE c.provider_id = p.id AND c.at > $2)::int AS requests,
           (SELECT coalesce(sum(c.tokens), 0) FROM provider_calls c WHERE c.provider_id = p.id AND c.at > $2)::int AS tokens
         FROM providers p WHERE p.id = ANY($1::uuid[])`,
    [providerIds, windowStart, now],
  );
  return rows;
}

/** Marks pending runs held by a limit (`runs.held_reason`) that the claim found over it after its locks. */
export async function markHeldRuns(tx: Queryable, held: ReadonlyArray<{ id: string; reason: string }>): Promise<void> {
  if (held.length === 0) return;
  await tx.query(
    `UPDATE runs r SET held_reason = u.reason FROM unnest($1::uuid[], $2::text[]) AS u(id, reason)
       WHERE r.id = u.id AND r.held_reason IS DISTINCT FROM u.reason`,
    [held.map((h) => h.id), held.map((h) => h.reason)],
  );
}

/** A run just started, with its schedule's settings, its assistant row and its owner's role. */
export interface StartedRunRow extends RunRow {
  session_mode: 'new' | 'persistent' | null;
  schedule_name: string | null;
  schedule_timezone: string | null;
  on_run_completed: 'delete' | 'keep' | null;
  /** The schedule's `config` column (where a LangGraph cron's payload `config`, `context`, … are kept). */
  schedule_config: Record<string, unknown> | null;
  assistant_row: Record<string, unknown> | null;
  owner_role: UserRole | null;
  owner_exists: boolean;
  owner_disabled: boolean;
  /** Whether the run has opened waits (an agent run resumed after a park reads them; others need not). */
  has_waits: boolean;
  /** Its schedule's (or trigger's) precheck as stored (docs/gates.md); null when none. */
  precheck: unknown;
}

/**
 * One statement: leases the runs (`running`, held by `workerId` until `leaseExpiresAt`, started at
 * `startedAt` or their `not_before`), appends their `attempt_started` events, and returns what
 * execution needs, so that the worker can POST without another round trip.
 */
export async function startClaimedRuns(
  tx: Queryable,
  runIds: readonly string[],
  options: { workerId: string; leaseExpiresAt: Date; startedAt: Date },
): Promise<StartedRunRow[]> {
  if (runIds.length === 0) return [];
  const { rows } = await tx.query<StartedRunRow>(
    `WITH s AS (
         UPDATE runs r SET status = 'running', lease_owner = $2, lease_expires_at = $3,
           started_at = greatest($4, r.not_before), cancel_requested = false, held_reason = NULL,
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
         u.role AS owner_role, u.id IS NOT NULL AS owner_exists, u.disabled_at IS NOT NULL AS owner_disabled,
         EXISTS (SELECT 1 FROM waits w WHERE w.run_id = s.id) AS has_waits,
         coalesce(sc.precheck, (SELECT t.precheck FROM triggers t WHERE t.id = s.trigger_id AND s.schedule_id IS NULL)) AS precheck
       FROM s
       LEFT JOIN schedules sc ON sc.id = s.schedule_id
       LEFT JOIN assistants a ON a.id = s.assistant_id
       LEFT JOIN users u ON u.id = s.owner_id`,
    [runIds, options.workerId, options.leaseExpiresAt, options.startedAt],
  );
  return rows;
}

/** A run the claim ended without starting. */
export type ClaimEndedRun = Pick<RunRow, 'id' | 'schedule_id' | 'status' | 'error_kind' | 'error'>;

/** Ends runs without starting them (skipped by overlap, missed, capacity), each with its own status and error. */
export async function endClaimedRuns(
  tx: Queryable,
  endings: ReadonlyArray<{ id: string; status: 'skipped' | 'error'; errorKind: string | null; error: string }>,
  finishedAt: Date,
): Promise<ClaimEndedRun[]> {
  if (endings.length === 0) return [];
  const { rows } = await tx.query<ClaimEndedRun>(
    `UPDATE runs r SET status = u.status, error_kind = u.error_kind, error = u.error, finished_at = $5
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(id, status, error_kind, error)
       WHERE r.id = u.id
       RETURNING r.id, r.schedule_id, r.status, r.error_kind, r.error`,
    [
      endings.map((e) => e.id),
      endings.map((e) => e.status),
      endings.map((e) => e.errorKind),
      endings.map((e) => e.error),
      finishedAt,
    ],
  );
  return rows;
}

/** Asks the workers running these runs to stop them (`cancel_previous`): the flag, then a `run_cancel` notification each. */
export async function requestCancel(
  tx: Queryable,
  db: Pick<Database, 'channelName'>,
  runIds: readonly string[],
): Promise<void> {
  if (runIds.length === 0) return;
  await tx.query(`UPDATE runs SET cancel_requested = true WHERE id = ANY($1::uuid[]) AND status = 'running'`, [runIds]);
  await tx.query('SELECT pg_notify($1, id::text) FROM unnest($2::uuid[]) AS id', [
    db.channelName('run_cancel'),
    runIds,
  ]);
}
