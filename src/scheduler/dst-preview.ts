import {
  CLOCK_CHANGE_BACKWARD_MS,
  CLOCK_CHANGE_FORWARD_MS,
  compileCron,
  nextOffsetTransition,
  parseCron,
  resolveDstPolicy,
  type DstPolicy,
  type RepeatedPolicy,
  type SkippedPolicy,
} from '../time/index.ts';
import { cachedCron } from './next-fire.ts';

/** What the next offset change of a cron schedule's zone does to it, for previews. */
export interface DstTransitionEffect {
  /** The instant the offset changes. */
  at: string;
  kind: 'forward' | 'backward';
  /** Signed size of the jump in minutes (+60 spring forward, -60 fall back). */
  jump_minutes: number;
  /** A jump of 3 hours or more (cronie's rule): not DST, the policy does not apply. */
  clock_change: boolean;
  /** The wall times skipped (forward) or repeated (backward), `YYYY-MM-DDTHH:MM` local, end exclusive. */
  wall_from: string;
  wall_to: string;
  /** The policy in effect for this job (the given keys, the Vixie rule for the rest). */
  policy: { repeated: RepeatedPolicy; skipped: SkippedPolicy };
  /** Occurrences whose wall time falls in the skipped or repeated range. */
  affected: number;
  /** The schedule's fires around the change (within one jump of it). */
  fires: string[];
  /** The effect in a sentence. */
  effect: string;
}

const wallText = (wallMs: number): string => new Date(wallMs).toISOString().slice(0, 16);
const clock = (wallMs: number): string => new Date(wallMs).toISOString().slice(11, 16);

function jumpText(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours === 0 ? `${rest} min` : rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function plural(count: number): string {
  return count === 1 ? '1 occurrence' : `${count} occurrences`;
}

/** Matching wall times in [fromWall, toWall): the expression evaluated on wall time as if UTC. */
function countMatchingWalls(cron: string, fromWall: number, toWall: number): number {
  const onWall = compileCron(cron, 'UTC', { seconds: true });
  let count = 0;
  for (let t = onWall.nextAfter(fromWall - 1); t !== null && t < toWall && count < 100_000; t = onWall.nextAfter(t))
    count++;
  return count;
}

/**
 * The effect of the first offset change after `afterMs` (within two years) on a cron schedule
 * under its DST policy, or null for zones without changes.
 */
export function nextTransitionEffect(
  cron: string,
  timezone: string,
  dst: DstPolicy | undefined,
  afterMs: number,
): DstTransitionEffect | null {
  const transition = nextOffsetTransition(timezone, afterMs);
  if (transition === null) return null;
  const { at, offsetBefore, offsetAfter } = transition;
  const jump = offsetAfter - offsetBefore;
  const forward = jump > 0;
  const policy = resolveDstPolicy(dst, parseCron(cron, { seconds: true }).wild);
  const clockChange = forward ? jump > CLOCK_CHANGE_FORWARD_MS : -jump > CLOCK_CHANGE_BACKWARD_MS;
  const wallFrom = at + Math.min(offsetBefore, offsetAfter);
  const wallTo = at + Math.max(offsetBefore, offsetAfter);
  const affected = countMatchingWalls(cron, wallFrom, wallTo);
  const schedule = cachedCron(cron, timezone, dst);
  const fires: string[] = [];
  for (
    let t = schedule.nextAfter(at - Math.abs(jump) - 1);
    t !== null && t < at + Math.abs(jump) && fires.length < 20;
    t = schedule.nextAfter(t)
  ) {
    fires.push(new Date(t).toISOString());
  }
  const range = `${clock(wallFrom)}-${clock(wallTo)}`;
  let effect: string;
  if (forward) {
    const head = `Clocks go forward ${jumpText(jump)} at ${wallText(at + offsetBefore)}`;
    if (affected === 0) effect = `${head}: no occurrence falls in the skipped wall times ${range}`;
    else if (clockChange)
      effect = `${head}: ${plural(affected)} in the skipped wall times ${range} do not fire, as a jump of 3 hours or more is a clock change, not DST (whatever the policy)`;
    else if (policy.skipped === 'shift')
      effect = `${head}: ${plural(affected)} in the skipped wall times ${range} fire once at ${clock(wallTo)} (skipped: shift)`;
    else effect = `${head}: ${plural(affected)} in the skipped wall times ${range} do not fire (skipped: skip)`;
  } else {
    const head = `Clocks go back ${jumpText(jump)} at ${wallText(at + offsetBefore)}`;
    const when = {
      first: 'at the first instant only',
      last: 'at the second instant only',
      both: 'at both instants',
    } as const;
    if (affected === 0) effect = `${head}: no occurrence falls in the repeated wall times ${range}`;
    else if (clockChange)
      effect = `${head}: ${plural(affected)} in the repeated wall times ${range} fire at both instants, as a jump of 3 hours or more is a clock change, not DST (whatever the policy)`;
    else
      effect = `${head}: ${plural(affected)} in the repeated wall times ${range} fire ${when[policy.repeated]} (repeated: ${policy.repeated})`;
  }
  return {
    at: new Date(at).toISOString(),
    kind: forward ? 'forward' : 'backward',
    jump_minutes: Math.round(jump / 60_000),
    clock_change: clockChange,
    wall_from: wallText(wallFrom),
    wall_to: wallText(wallTo),
    policy,
    affected,
    fires,
    effect,
  };
}
