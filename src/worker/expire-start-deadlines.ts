import type { Database } from '../store/database.ts';
import { appendRunEvents } from '../store/run-events.ts';
import type { RunRow } from '../store/runs.ts';
import type { MisfirePolicy } from '../store/schedules.ts';
import { recordOutcomes, type FailureAlert } from './record-outcomes.ts';
import { notifyFinished } from './run-lease.ts';

export interface ExpiryResult {
  /** Ended as `error`/`capacity`: they waited for a free slot until their start deadline. */
  expired: string[];
  /** Late because of an outage, started late under their schedule's misfire policy. */
  late: string[];
  /** Late because of an outage, recorded as `skipped`/`missed` under their schedule's misfire policy. */
  missed: string[];
  alerts: FailureAlert[];
}

interface DueRow {
  id: string;
  schedule_id: string | null;
  scheduled_for: Date | null;
  not_before: Date;
  start_deadline: Date;
  misfire: MisfirePolicy | null;
}

const capacityError = 'could not start before its start deadline: every worker slot was busy';
const missedError = {
  skip: 'missed: no worker could reach the database before its start deadline (misfire policy skip)',
  run_once:
    'missed: no worker could reach the database before its start deadline; a later run stands for it (misfire policy run_once)',
} as const;

/**
 * Ends pending runs past their start deadline. A run whose deadline passed while this worker was
 * connected waited for a free slot: `error`, reason `capacity`, so that an overloaded deployment
 * sheds old work. A run whose deadline passed before `outageBefore` (while no worker could reach
 * the database, or before this worker started) is late, not a failure, and follows its
 * schedule's misfire policy: `run_all` (and runs outside schedules) run late, `run_once` runs the
 * newest late run of each schedule and records the others as missed, `skip` records them missed.
 * Missed runs are `skipped`, so they never extend a failure streak. Runs of an assistant with
 * provider limits wait for its quota however long it takes, so only an outage ends them here.
 */
export async function expireStartDeadlines(
  db: Database,
  options: { now: number; outageBefore?: number; slotsFreeSince?: number; batchSize?: number },
): Promise<ExpiryResult> {
  const now = new Date(options.now);
  const outageBefore = options.outageBefore ?? -Infinity;
  // A deadline that passed while this worker was connected and had a free slot is left to the
  // claim, which starts the run late if it can (see decideOverlap): it did not wait for a slot.
  const cutoff = Math.max(outageBefore, options.slotsFreeSince ?? Infinity);
  return db.transaction(async (tx) => {
    const { rows: due } = await tx.query<DueRow>(
      `SELECT r.id, r.schedule_id, r.scheduled_for, r.not_before, r.start_deadline, s.misfire
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id
       WHERE r.status = 'pending' AND r.start_deadline < $1 AND r.start_deadline < $3
         -- A run of an assistant with provider limits waits for its quota, not for a slot: it
         -- never ends as capacity (an outage still applies its misfire policy).
         AND (r.start_deadline < $4::timestamptz OR NOT EXISTS (
           SELECT 1 FROM assistants a WHERE a.id = r.assistant_id AND (a.max_concurrent IS NOT NULL OR a.rate_limit IS NOT NULL)))
       ORDER BY r.start_deadline LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
      [
        now,
        options.batchSize ?? 500,
        new Date(Math.max(0, Math.min(cutoff, options.now))),
        Number.isFinite(outageBefore) ? new Date(outageBefore) : null,
      ],
    );
    const result: ExpiryResult = { expired: [], late: [], missed: [], alerts: [] };
    if (due.length === 0) return result;

    const capacity: DueRow[] = [];
    const late: DueRow[] = [];
    const missed: Array<{ run: DueRow; error: string }> = [];
    const newestLate = new Map<string, DueRow>();
    for (const run of due) {
      if (run.start_deadline.getTime() >= outageBefore) capacity.push(run);
      else if (run.misfire === 'skip') missed.push({ run, error: missedError.skip });
      else if (run.misfire === 'run_once' && run.schedule_id) {
        const newest = newestLate.get(run.schedule_id);
        if (!newest || occurrenceOf(run) > occurrenceOf(newest)) {
          if (newest) missed.push({ run: newest, error: missedError.run_once });
          newestLate.set(run.schedule_id, run);
        } else missed.push({ run, error: missedError.run_once });
      } else late.push(run);
    }
    late.push(...newestLate.values());

    if (late.length > 0) {
      // It starts now, with as long to find a slot as it had originally, or as it is late (the
      // backlog of an outage drains over about as long as the outage lasted), at least a second.
      await tx.query(
        `UPDATE runs SET not_before = $2::timestamptz,
           start_deadline = $2::timestamptz + greatest(start_deadline - not_before, $2::timestamptz - not_before, interval '1 second')
         WHERE id = ANY($1::uuid[])`,
        [late.map((run) => run.id), now],
      );
      await appendRunEvents(
        tx,
        late.map((run) => ({
          runId: run.id,
          kind: 'late',
          data: {
            reason: 'outage',
            misfire: run.misfire ?? 'run_all',
            late_ms: options.now - run.not_before.getTime(),
          },
        })),
      );
      await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(options.now)]);
    }

    type Ended = Pick<RunRow, 'id' | 'schedule_id' | 'status' | 'error_kind' | 'error'>;
    const { rows: ended } =
      capacity.length + missed.length === 0
        ? { rows: [] as Ended[] }
        : await tx.query<Ended>(
            `UPDATE runs r SET status = u.status, error = u.error, finished_at = $4,
         error_kind = CASE WHEN u.status = 'error' THEN 'capacity' ELSE 'missed' END
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, status, error)
       WHERE r.id = u.id
       RETURNING r.id, r.schedule_id, r.status, r.error_kind, r.error`,
            [
              [...capacity.map((run) => run.id), ...missed.map(({ run }) => run.id)],
              [...capacity.map(() => 'error'), ...missed.map(() => 'skipped')],
              [...capacity.map(() => capacityError), ...missed.map(({ error }) => error)],
              now,
            ],
          );
    await appendRunEvents(
      tx,
      ended.map((run) => ({
        runId: run.id,
        kind: run.error_kind === 'capacity' ? 'capacity' : 'missed',
        data: { reason: run.error },
      })),
    );
    result.alerts = await recordOutcomes(
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
    await notifyFinished(
      tx,
      db,
      ended.map((run) => run.id),
    );
    result.expired = ended.filter((run) => run.error_kind === 'capacity').map((run) => run.id);
    result.missed = ended.filter((run) => run.error_kind === 'missed').map((run) => run.id);
    result.late = late.map((run) => run.id);
    return result;
  });
}

function occurrenceOf(run: DueRow): number {
  return (run.scheduled_for ?? run.not_before).getTime();
}
