import type { Database } from '../store/database.ts';
import { createRuns, type RunDraft } from '../runs/create-runs.ts';
import { scheduleRunDraft } from '../runs/schedule-run.ts';
import { appendScheduleEvents } from '../store/schedule-events.ts';
import { advanceSchedules, lockDueSchedules, type ScheduleAdvance } from '../store/due-schedules.ts';
import { planOccurrences, type PlanOptions } from './misfire.ts';

export interface ClaimOptions extends Omit<PlanOptions, 'horizon'> {
  lookaheadMs: number;
  batchSize: number;
}

export interface ClaimResult {
  /** Schedules claimed in this batch. */
  claimed: number;
  /** Runs created. */
  created: number;
  /** Earliest `not_before` among the created runs (ms), for waking workers. */
  earliestNotBefore: number | null;
  /** Occurrences that became no run (misfire `missed`, an excluded date), per schedule: kairos_occurrences_total. */
  skipped: Array<{ scheduleId: string; reason: 'missed' | 'excluded'; count: number }>;
}

/**
 * One batch of DESIGN.md §4 in one transaction: locks due schedules (`FOR UPDATE SKIP LOCKED`, so
 * replicas take disjoint batches), creates their occurrences' runs in one multi-row insert
 * (`ON CONFLICT DO NOTHING` on the occurrence key) and advances `next_run_at` in one update. A
 * crash anywhere leaves all of it or none of it.
 */
export async function claimDueSchedules(db: Database, options: ClaimOptions): Promise<ClaimResult> {
  const now = options.now;
  return db.transaction(async (tx) => {
    const rows = await lockDueSchedules(tx, new Date(now + options.lookaheadMs), options.batchSize);
    if (rows.length === 0) return { claimed: 0, created: 0, earliestNotBefore: null, skipped: [] };
    const runs: RunDraft[] = [];
    const updates: ScheduleAdvance = {
      id: [],
      next: [],
      fired: [],
      missed: [],
      last: [],
      completed: [],
      excluded: [],
    };
    const events: Array<{ scheduleId: string; kind: string; data?: unknown; at: Date }> = [];
    const skipped: ClaimResult['skipped'] = [];
    const createdAt = new Date(now);
    for (const schedule of rows) {
      const plan = planOccurrences(schedule, { ...options, horizon: now + options.lookaheadMs });
      plan.fire.forEach((occurrence, i) => {
        const runNumber = schedule.run_count + i + 1;
        runs.push(
          scheduleRunDraft(schedule, {
            trigger: 'schedule',
            scheduledFor: occurrence.scheduledFor,
            notBefore: occurrence.notBefore,
            startDeadline: occurrence.startDeadline,
            runNumber,
            createdAt,
            metadata:
              occurrence.coalesced > 0
                ? { misfire: { policy: schedule.misfire, coalesced: occurrence.coalesced } }
                : {},
          }),
        );
      });
      const last = plan.fire.at(-1);
      updates.id.push(schedule.id);
      updates.next.push(plan.nextRunAt === null ? null : new Date(plan.nextRunAt));
      updates.fired.push(plan.fire.length);
      updates.missed.push(plan.missed);
      updates.last.push(last ? new Date(last.scheduledFor) : null);
      updates.completed.push(plan.completed);
      updates.excluded.push(plan.excluded);
      if (plan.excluded > 0) skipped.push({ scheduleId: schedule.id, reason: 'excluded', count: plan.excluded });
      if (plan.missed > 0) skipped.push({ scheduleId: schedule.id, reason: 'missed', count: plan.missed });
      if (plan.excluded > 0) {
        const occurrences = plan.excludedSample.map((at) => new Date(at).toISOString());
        events.push({
          scheduleId: schedule.id,
          kind: 'excluded',
          at: createdAt,
          data: { count: plan.excluded, occurrences },
        });
      }
      if (plan.missed > 0) {
        events.push({
          scheduleId: schedule.id,
          kind: 'missed',
          at: createdAt,
          data: { count: plan.missed, policy: schedule.misfire, catchup_window_ms: schedule.catchup_window_ms },
        });
      }
      if (plan.completed)
        events.push({
          scheduleId: schedule.id,
          kind: 'completed',
          at: createdAt,
          data: { run_count: schedule.occurrence_count + plan.fire.length },
        });
    }
    const inserted = await createRuns(db, runs, tx);
    await advanceSchedules(tx, updates, createdAt);
    await appendScheduleEvents(tx, events);
    let earliest: number | null = null;
    for (const run of inserted) earliest = Math.min(earliest ?? Infinity, run.not_before.getTime());
    return { claimed: rows.length, created: inserted.length, earliestNotBefore: earliest, skipped };
  });
}
