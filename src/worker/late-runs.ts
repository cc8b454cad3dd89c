import type { MisfirePolicy } from '../store/schedules.ts';

/** How long runs outside schedules (api, trigger, retry) may still start late: docs/scheduling.md. */
export const outsideCatchupMs = 3_600_000;

/** A pending run past its start deadline, as the claim and the deadline sweep see it. */
export interface LateRun {
  id: string;
  /** Its schedule's id, or null for a run outside schedules (its policy: `run_all`, 1 h). */
  scheduleId: string | null;
  misfire: MisfirePolicy | null;
  catchupWindowMs: number | null;
  /** Its occurrence (`scheduled_for`, else `not_before`): which of a schedule's late runs is the newest. */
  occurrence: number;
  notBefore: number;
  startDeadline: number;
}

/** What the deciding worker knows about its own state over a run's start window. */
export interface WorkerHistory {
  /** Since when this worker has reached the database without interruption. */
  connectedSince: number;
  /**
   * Whether this worker was saturated from `from` to `to` without a break: every slot busy, each
   * claim taking a whole batch of runnable runs (a backlog it had not reached yet), or one pass of
   * its loop in progress (a process starved of CPU).
   */
  fullThroughout(from: number, to: number): boolean;
}

export type LateDecision =
  { kind: 'start_late'; until: number } | { kind: 'give_up'; reason: 'capacity' | 'missed'; error: string };

/**
 * What a run past its start deadline does (docs/scheduling.md, "Late runs"): the misfire policy
 * says whether it still starts (`run_all`: every one, within `catchup_window` of its time;
 * `run_once`: the newest of its schedule's late runs, or every one when only a full worker held
 * them back (overload delays, it does not drop); `skip`: none), and when the policy gives up,
 * the reason is `capacity` only if this worker was connected and had no free slot for the whole
 * start window; otherwise `missed` (a fault: a killed or frozen replica, an outage, a lock).
 * Runs outside schedules start late within an hour of their time, except that a worker full for
 * their whole window sheds them as `capacity` at once (load shedding).
 * `newerLate`: a newer late run of the same schedule is known (it stands for this one).
 */
export function decideLate(run: LateRun, history: WorkerHistory, now: number, newerLate: boolean): LateDecision {
  const full =
    history.connectedSince <= run.notBefore && history.fullThroughout(run.notBefore, Math.min(run.startDeadline, now));
  const policy = run.misfire ?? 'run_all';
  const outage = history.connectedSince > run.startDeadline;
  const giveUp = (why: string): LateDecision =>
    full
      ? {
          kind: 'give_up',
          reason: 'capacity',
          error: 'could not start before its start deadline: every worker slot was busy or held a backlog of due runs',
        }
      : {
          kind: 'give_up',
          reason: 'missed',
          error: outage
            ? `missed: no worker could reach the database before its start deadline (${why})`
            : `missed: not started before its start deadline (${why})`,
        };
  if (run.scheduleId === null) {
    if (full) return giveUp('runs outside schedules are shed when every slot was busy');
    const until = run.notBefore + outsideCatchupMs;
    return now < until ? { kind: 'start_late', until } : giveUp('older than an hour');
  }
  if (policy === 'skip') return giveUp('misfire policy skip');
  // Overload delays, it does not drop: a run held back only because every slot was busy starts
  // late, in order, like under run_all. run_once coalesces the runs a fault held back (a dead
  // replica, an outage), where the newest one stands for them.
  if (policy === 'run_once' && newerLate && !full) return giveUp('a later run stands for it (misfire policy run_once)');
  const until = run.notBefore + (run.catchupWindowMs ?? outsideCatchupMs);
  return now < until
    ? { kind: 'start_late', until }
    : giveUp(`older than the catch-up window (misfire policy ${policy})`);
}
