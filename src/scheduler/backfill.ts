import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { KairosError, invalid } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { createRuns } from '../runs/create-runs.ts';
import { scheduleRunDraft } from '../runs/schedule-run.ts';
import { occurrencesWithRuns } from '../store/due-schedules.ts';
import { appendScheduleEvents } from '../store/schedule-events.ts';
import { findSchedule, reserveRunNumbers, type ScheduleRow } from '../store/schedules.ts';
import { occurrenceSpecOf } from './next-fire.ts';
import { occurrencesBetween } from './occurrences-between.ts';
import { parseScheduleInput } from './schedule-input.ts';

/** Most runs (occurrences) one backfill request covers. */
export const backfillCap = 1000;

const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone offset, e.g. 2026-03-01T00:00:00Z',
});

/** `POST /schedules/{id}/backfill`: the window `(from, to]`, how the runs share slots, and a dry run. */
export const backfillSchema = z.strictObject({
  from: instant,
  to: instant,
  /**
   * `queue` (default): each run waits for a free slot of the schedule (`max_concurrent`), none is
   * skipped or fails for lack of capacity. `obey`: the schedule's overlap policy decides, as for
   * its scheduled runs (with `skip`, a run that finds the schedule busy is recorded skipped).
   */
  overlap: z.enum(['queue', 'obey']).default('queue'),
  /** Count what it would create, create nothing (the dashboard's preview). */
  dry_run: z.boolean().default(false),
});
export type BackfillInput = z.input<typeof backfillSchema>;

/** What a backfill created, or with `dry_run` would create. */
export interface BackfillResult {
  schedule_id: string;
  from: string;
  to: string;
  overlap: 'queue' | 'obey';
  dry_run: boolean;
  /** Occurrences of the schedule in (from, to]. */
  occurrences: number;
  /** Of those, how many already had a run (scheduled or backfilled): left alone. */
  existing: number;
  /** Runs created; with `dry_run`, the number a real request would create now. */
  runs: number;
  /** The occurrences of those runs, oldest first. */
  scheduled_for: string[];
  /** The runs created, oldest occurrence first (empty with `dry_run`). */
  run_ids: string[];
}

export interface BackfillContext {
  db: Database;
  now: number;
  actorId: string;
  /** With `overlap: "obey"`, a run must start within this long (as a manual run). */
  startDeadlineMs: number;
}

/** Parses and checks the window against the schedule and now; the problems are 422s saying what to send. */
function checkWindow(input: z.output<typeof backfillSchema>, now: number): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(input.from);
  const toMs = Date.parse(input.to);
  if (toMs <= fromMs)
    throw invalid('to', 'must be after from: the window is (from, to]', { from: input.from, to: input.to });
  if (toMs > now) {
    throw invalid(
      'to',
      `${input.to} is in the future; backfill covers past occurrences (the scheduler fires the rest): use a time up to now (${new Date(now).toISOString()})`,
      {
        value: input.to,
        now: new Date(now).toISOString(),
      },
    );
  }
  return { fromMs, toMs };
}

function tooMany(input: z.output<typeof backfillSchema>, times: readonly number[]): KairosError {
  const splitAt = new Date(times[backfillCap - 1]!).toISOString();
  return new KairosError(
    'backfill_too_large',
    `the window (${input.from}, ${input.to}] holds more than ${backfillCap} occurrences, the most one backfill creates; split it: first from ${input.from} to ${splitAt}, then from ${splitAt} to ${input.to} (and further if needed)`,
    { status: 422, details: { field: 'to', cap: backfillCap, split_at: splitAt } },
  );
}

/**
 * Creates one run per occurrence of the schedule in `(from, to]` that has no run yet, tagged
 * `trigger: "backfill"`, oldest first. The occurrence key (schedule, scheduled_for) is shared
 * with scheduled runs, so backfilling twice, or the scheduler reaching an occurrence a backfill
 * covered, creates nothing new. The schedule row is locked, so concurrent backfills serialise.
 * Runs are due now, staggered by a millisecond each so that workers take them in order.
 */
export async function backfillSchedule(
  context: BackfillContext,
  schedule: ScheduleRow,
  body: BackfillInput,
): Promise<BackfillResult> {
  const input = parseScheduleInput(backfillSchema, body);
  const { db, now, actorId, startDeadlineMs } = context;
  const { fromMs, toMs } = checkWindow(input, now);
  const times = occurrencesBetween(occurrenceSpecOf(schedule), fromMs, toMs, backfillCap + 1).occurrences;
  if (times.length > backfillCap) throw tooMany(input, times);

  return db.transaction(async (tx) => {
    const row = input.dry_run ? schedule : ((await findSchedule(tx, schedule.id, { forUpdate: true })) ?? schedule);
    const taken = await occurrencesWithRuns(
      tx,
      row.id,
      times.map((t) => new Date(t)),
    );
    const existing = new Set(taken.map((at) => at.getTime()));
    const missing = times.filter((t) => !existing.has(t));
    const result: BackfillResult = {
      schedule_id: row.id,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      overlap: input.overlap,
      dry_run: input.dry_run,
      occurrences: times.length,
      existing: existing.size,
      runs: missing.length,
      scheduled_for: missing.map((t) => new Date(t).toISOString()),
      run_ids: [],
    };
    if (input.dry_run || missing.length === 0) return result;

    const first = (await reserveRunNumbers(tx, row.id, missing.length))!;
    const waits = input.overlap === 'queue';
    const runs = missing.map((occurrenceMs, i) => ({
      ...scheduleRunDraft(row, {
        trigger: 'backfill',
        scheduledFor: occurrenceMs,
        notBefore: now + i,
        // Queued runs wait as long as the slots are busy; obeying runs have a manual run's deadline.
        startDeadline: waits ? null : now + i + startDeadlineMs,
        runNumber: first + i,
        createdAt: new Date(now),
        metadata: { backfill: { by: actorId, from: result.from, to: result.to, overlap: input.overlap } },
        waitsForSlot: waits,
      }),
      id: randomUUID(),
    }));
    const inserted = new Set((await createRuns(db, runs, tx)).map((r) => r.id));
    const created = runs.filter((run) => inserted.has(run.id));
    result.runs = created.length;
    result.scheduled_for = created.map((run) => run.scheduled_for!.toISOString());
    result.run_ids = created.map((run) => run.id);
    await appendScheduleEvents(tx, [
      {
        scheduleId: row.id,
        kind: 'backfill',
        at: new Date(now),
        data: {
          by: actorId,
          from: result.from,
          to: result.to,
          overlap: input.overlap,
          runs: created.length,
          existing: existing.size,
        },
      },
    ]);
    return result;
  });
}
