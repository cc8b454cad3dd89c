import type { OverlapPolicy } from '../store/schedules.ts';

/** A pending run a worker could start, with its schedule's overlap rules. */
export interface OverlapCandidate {
  id: string;
  scheduleId: string | null;
  overlap: OverlapPolicy | null;
  maxConcurrent: number | null;
  ignoreOverlap: boolean;
  /** Waits for a free slot whatever the policy (backfill runs); absent = false. */
  waitsForSlot?: boolean;
}

export type OverlapDecision = 'start' | 'skip' | 'wait';

export interface OverlapOutcome {
  decisions: Map<string, OverlapDecision>;
  /** Running runs to abort (`cancel_previous`). */
  cancel: string[];
}

/**
 * Decides, for the candidates of one schedule (oldest first) and its running runs (oldest first),
 * which start, which are recorded as skipped, which keep waiting and which missed their start
 * deadline. The caller holds the schedule's lock, so the count of running runs is exact across
 * replicas (runs whose lease expired are not counted: their replica is dead or frozen):
 * - `skip`: start while fewer than `max_concurrent` run, else record `skipped`;
 * - `allow`: start while fewer than `max_concurrent` run, else wait (until the start deadline);
 * - `queue`: like allow, but at most one waits (the oldest); later ones are skipped;
 * - `cancel_previous`: ask the oldest running runs to stop, the newest candidate waits for them,
 *   older candidates are skipped (superseded).
 * Start deadlines are decided before (late-runs.ts): a candidate here may start, late or not.
 * A manual trigger with `overlap: 'override'` starts regardless; a run that waits for a slot
 * (a backfill run) waits whatever the policy, and is never skipped or superseded.
 */
export function decideOverlap(candidates: readonly OverlapCandidate[], running: readonly string[]): OverlapOutcome {
  const decisions = new Map<string, OverlapDecision>();
  const cancel: string[] = [];
  let busy = running.length;
  const blocked: OverlapCandidate[] = [];
  for (const candidate of candidates) {
    const limit = candidate.maxConcurrent ?? Infinity;
    if (candidate.scheduleId === null || candidate.ignoreOverlap || busy < limit) {
      decisions.set(candidate.id, 'start');
      busy++;
      continue;
    }
    if (candidate.waitsForSlot) decisions.set(candidate.id, 'wait');
    else if (candidate.overlap === 'skip') decisions.set(candidate.id, 'skip');
    else blocked.push(candidate);
  }
  if (blocked.length === 0) return { decisions, cancel };
  const policy = blocked[0]!.overlap;
  if (policy === 'allow') {
    for (const candidate of blocked) decisions.set(candidate.id, 'wait');
  } else if (policy === 'queue') {
    blocked.forEach((candidate, i) => decisions.set(candidate.id, i === 0 ? 'wait' : 'skip'));
  } else {
    blocked.forEach((candidate, i) => decisions.set(candidate.id, i === blocked.length - 1 ? 'wait' : 'skip'));
    const limit = blocked[0]!.maxConcurrent ?? 1;
    cancel.push(...running.slice(0, Math.max(1, running.length - limit + 1)));
  }
  return { decisions, cancel };
}
