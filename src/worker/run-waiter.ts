import type { Database } from '../store/database.ts';
import { runFinishedIds } from '../store/notifications.ts';

/**
 * Waits for runs to finish, on one shared LISTEN (`run_finished`) per replica. A caller
 * registers before reading the run, so a finish between the read and the wait is not missed.
 */
export class RunWaiter {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscription: Promise<() => Promise<void>> | undefined;

  constructor(private readonly db: Database) {}

  /** Resolves on the next notification for `runId`, or after `timeoutMs`, or on abort. */
  async register(
    runId: string,
  ): Promise<{ next(timeoutMs: number, signal?: AbortSignal): Promise<void>; dispose(): void }> {
    this.subscription ??= this.db.listen('run_finished', (payload) => {
      if (this.waiters.size === 0) return;
      for (const id of runFinishedIds(payload)) for (const wake of this.waiters.get(id) ?? []) wake();
    });
    await this.subscription;
    let wake: () => void = () => {};
    let fired = false;
    const listener = () => {
      fired = true;
      wake();
    };
    const set = this.waiters.get(runId) ?? new Set();
    set.add(listener);
    this.waiters.set(runId, set);
    return {
      next: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          if (fired || signal?.aborted) return resolve();
          const timer = setTimeout(done, Math.max(0, timeoutMs));
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          }
        }),
      dispose: () => {
        set.delete(listener);
        if (set.size === 0) this.waiters.delete(runId);
      },
    };
  }

  async close(): Promise<void> {
    const unsubscribe = await this.subscription?.catch(() => undefined);
    this.subscription = undefined;
    await unsubscribe?.();
  }
}
