import type { RunFinish } from './run-lease.ts';

/**
 * Coalesces the finishes of a replica's runs into few statements: the first finish is written at
 * once; finishes that arrive while `maxInFlight` writes are under way wait and go together in the
 * next one (at most `maxBatch`). Under a burst this turns thousands of commits into tens, and adds
 * no delay when the replica is quiet.
 */
export class FinishBatcher {
  private readonly queue: Array<{
    finish: RunFinish;
    resolve: (written: boolean) => void;
    reject: (error: unknown) => void;
  }> = [];
  private inFlight = 0;

  constructor(
    /** Writes one batch; resolves to the ids written (a run missing from it had lost its lease). */
    private readonly write: (batch: RunFinish[]) => Promise<Set<string>>,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves to whether the run's outcome was written (false: the lease was lost). */
  add(finish: RunFinish): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ finish, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.write(batch.map((entry) => entry.finish))
        .then(
          (written) => {
            for (const entry of batch) entry.resolve(written.has(entry.finish.key.id));
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
