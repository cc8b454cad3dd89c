import { describe as describeCron } from '../time/index.ts';
import { nextTransitionEffect, type DstTransitionEffect } from './dst-preview.ts';
import { firstFireAt, isExcluded, occurrenceAfter, type OccurrenceSpec } from './next-fire.ts';

/** The next fire times of a schedule, what its excluded dates skip and its next DST change. */
export interface OccurrencePreview {
  /** The next fire times (ISO), nominal (without jitter). */
  times: string[];
  /** A human sentence for cron schedules. */
  description: string | null;
  /** Occurrences before the last time shown that `exclude_dates` skips (ISO, at most 100). */
  excluded: string[];
  /** The effect of the zone's next offset change on a cron schedule (null otherwise). */
  dst: DstTransitionEffect | null;
}

/**
 * The preview of a schedule spec from `now` (`lastScheduledFor`: the latest occurrence that has a
 * run): `count` fire times, the excluded occurrences among them and the next transition.
 */
export function previewOccurrences(
  spec: OccurrenceSpec,
  now: number,
  count: number,
  options: { seconds: boolean; lastScheduledFor?: number | null },
): OccurrencePreview {
  const times: number[] = [];
  const excluded: number[] = [];
  // Bounded: a long run of excluded occurrences (a seconds cron over excluded days) ends the list.
  let t = count > 0 ? firstFireAt(spec, now, options.lastScheduledFor ?? null) : null;
  for (let guard = 0; t !== null && times.length < count && guard < 200_000; guard++) {
    if (!isExcluded(spec, t)) times.push(t);
    else if (excluded.length < 100) excluded.push(t);
    if (times.length < count) t = occurrenceAfter(spec, t);
  }
  return {
    times: times.map((at) => new Date(at).toISOString()),
    description: spec.cron === null ? null : describeCron(spec.cron, { seconds: options.seconds }),
    excluded: excluded.map((at) => new Date(at).toISOString()),
    dst:
      spec.kind === 'cron' && spec.cron !== null ? nextTransitionEffect(spec.cron, spec.timezone, spec.dst, now) : null,
  };
}
