import { createHash } from 'node:crypto';

/**
 * Deterministic jitter: the same (schedule, occurrence) always gets the same delay, in
 * `[0, min(jitterMs, gapMs - 1)]` where `gapMs` is the time to the next occurrence, so a jittered
 * fire never reaches the next occurrence. Every replica computes the same value.
 */
export function jitterDelay(scheduleId: string, occurrenceMs: number, jitterMs: number, gapMs: number | null): number {
  const bound = Math.min(jitterMs, gapMs === null ? jitterMs : gapMs - 1);
  if (bound <= 0) return 0;
  const digest = createHash('sha256').update(`${scheduleId}:${occurrenceMs}`).digest();
  // 48 bits of hash, scaled into [0, bound].
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(fraction * (bound + 1));
}
