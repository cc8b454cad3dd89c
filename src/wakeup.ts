/**
 * A sleep that ends at a deadline or as soon as someone calls `wake()` (a notification, a
 * shutdown), whichever comes first. Loops use one per replica role.
 */
export class Wakeup {
  private pending: (() => void) | undefined;
  private woken = false;

  /** Waits up to `ms` real milliseconds; returns at once if woken since the last wait. */
  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.pending === done) this.pending = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.pending = done;
    });
  }

  wake(): void {
    if (this.pending) this.pending();
    else this.woken = true;
  }
}
