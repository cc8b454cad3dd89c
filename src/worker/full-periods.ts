/**
 * When a worker had no free slot: the periods it was full, so that a run past its start deadline
 * is `capacity` only if this worker was full for the whole of its start window (and not merely
 * at some moment of it). Keeps the most recent periods only.
 */
export class FullPeriods {
  private readonly periods: Array<{ from: number; to: number }> = [];
  private fullSince: number | undefined;

  constructor(private readonly keep = 256) {}

  /** Records the number of busy slots at `now` (call after every change). */
  update(now: number, busy: number, slots: number): void {
    const full = busy >= slots;
    if (full && this.fullSince === undefined) this.fullSince = now;
    else if (!full && this.fullSince !== undefined) {
      this.periods.push({ from: this.fullSince, to: now });
      if (this.periods.length > this.keep) this.periods.shift();
      this.fullSince = undefined;
    }
  }

  /** Whether every slot was busy from `from` to `to` without a break (`to` at most now). */
  fullThroughout(from: number, to: number): boolean {
    if (this.fullSince !== undefined && this.fullSince <= from) return true;
    return this.periods.some((period) => period.from <= from && period.to >= to);
  }
}
