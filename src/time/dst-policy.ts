// What a schedule does with wall times that a zone's clock changes repeat or skip, and where a
// daylight-saving change ends and a change of the zone's clock (Samoa's lost day) begins.

/** Fire at the first, the last or both instants of a wall time that occurs twice. */
export type RepeatedPolicy = 'first' | 'last' | 'both';
/** Fire once at the end of the gap for wall times that do not occur (`shift`), or not at all. */
export type SkippedPolicy = 'shift' | 'skip';

/**
 * A schedule's DST policy. A key left out keeps the Vixie rule for the job: fixed jobs
 * `first` + `shift`, wild jobs (minute, hour or second field starting with `*`) `both` + `skip`.
 */
export interface DstPolicy {
  readonly repeated?: RepeatedPolicy;
  readonly skipped?: SkippedPolicy;
}

export const REPEATED_POLICIES: readonly RepeatedPolicy[] = ['first', 'last', 'both'];
export const SKIPPED_POLICIES: readonly SkippedPolicy[] = ['shift', 'skip'];

// cronie (cron.c) compares the wall-clock minute it wakes at with the last one it handled:
// a difference above 180 minutes is a clock change, not DST. A forward jump of G minutes makes
// that difference G + 1, a backward jump of B minutes 1 - B; hence the asymmetric bounds.
/** A forward jump of more than this (ms) is a clock change: nothing in it is caught up. */
export const CLOCK_CHANGE_FORWARD_MS = 179 * 60_000;
/** A backward jump of more than this (ms) is a clock change: every job fires again in it. */
export const CLOCK_CHANGE_BACKWARD_MS = 181 * 60_000;

/** The policy that applies to one job: the given keys, the Vixie rule for the rest. */
export function resolveDstPolicy(policy: DstPolicy | undefined, wild: boolean): Required<DstPolicy> {
  return {
    repeated: policy?.repeated ?? (wild ? 'both' : 'first'),
    skipped: policy?.skipped ?? (wild ? 'skip' : 'shift'),
  };
}

/** Whether a forward jump of `gapMs` fires the job once at its end for matching lost wall times. */
export function shiftsGap(policy: Required<DstPolicy>, gapMs: number): boolean {
  return gapMs <= CLOCK_CHANGE_FORWARD_MS && policy.skipped === 'shift';
}

/** Which instants of a wall time repeated by a backward jump of `repeatMs` fire. */
export function repeatedInstants(policy: Required<DstPolicy>, repeatMs: number): RepeatedPolicy {
  return repeatMs > CLOCK_CHANGE_BACKWARD_MS ? 'both' : policy.repeated;
}

/** A stable text form of a policy, for cache keys. */
export function dstPolicyKey(policy: DstPolicy | undefined): string {
  return `${policy?.repeated ?? '-'}/${policy?.skipped ?? '-'}`;
}
