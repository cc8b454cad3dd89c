import type { Queryable } from '../store/database.ts';
import {
  recordStepWrites,
  type StepEvent,
  type StepFence,
  type StepRowEnd,
  type StepRowStart,
} from '../store/run-steps.ts';

/** The run is no longer held by this attempt: the runner stops and calls nothing more. */
export class LeaseLost extends Error {
  constructor() {
    super('the run is no longer held by this worker (lease lost): stopping the workflow');
    this.name = 'LeaseLost';
  }
}

interface Batch {
  starts: Map<string, StepRowStart>;
  ends: Map<string, StepRowEnd>;
  events: StepEvent[];
  done: Promise<void>;
  settle(error?: unknown): void;
}

function openBatch(): Batch {
  let settle!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // A write nobody awaits must not be an unhandled rejection: its failure is kept in `failure`.
  done.catch(() => {});
  return { starts: new Map(), ends: new Map(), events: [], done, settle };
}

/**
 * A workflow run's step writes, grouped: everything recorded while the previous statement is in
 * flight, or in the same turn of the event loop, goes out together as ONE fenced statement
 * ({@link recordStepWrites}), and statements go one after another (the trace keeps the order in
 * which nodes moved, and no two appends race for a sequence number). So a step's end and the next
 * step's start are one round trip, and a parallel node's branch starts are one.
 *
 * Each record returns the promise of its statement: the runner awaits a step's start before it
 * calls the step (a worker that lost the lease calls nothing, and everything recorded before,
 * such as the previous step's end, is committed by then). Ends and events it does not await; a
 * failure of a statement nobody awaited is thrown by the next record and by {@link flushed}.
 */
export class StepWriter {
  private open: Batch | null = null;
  private inFlight = false;
  private failure: unknown = undefined;
  private last: Promise<void> = Promise.resolve();
  /** Leaf steps started whose row is written with their end. */
  private readonly deferred = new Map<string, StepRowStart>();

  constructor(
    private readonly db: Queryable,
    private readonly fence: StepFence,
  ) {}

  /**
   * Records a node's start; resolves when it is committed (rejects with {@link LeaseLost}). With
   * `rowAtEnd` (a leaf step) only its event is written now (the fence is checked all the same) and
   * its row is written once, complete, with its end: a step stores one row version, not two.
   */
  start(row: StepRowStart, event: StepEvent, rowAtEnd = false): Promise<void> {
    const batch = this.batch();
    if (rowAtEnd) this.deferred.set(row.key, row);
    else {
      // A later attempt of a key in the same batch replaces the row (its earlier end is in the events).
      batch.ends.delete(row.key);
      batch.starts.set(row.key, row);
    }
    batch.events.push(event);
    return batch.done;
  }

  /** Records how a node ended; merged into its start's row when that is in the same batch or deferred. */
  end(row: StepRowEnd, event: StepEvent): Promise<void> {
    const batch = this.batch();
    const started = this.deferred.get(row.key) ?? batch.starts.get(row.key);
    this.deferred.delete(row.key);
    if (started) {
      batch.starts.set(row.key, {
        ...started,
        status: row.status,
        output: row.output,
        error: row.error,
        finishedAt: row.finishedAt,
        durationMs: row.durationMs,
      });
    } else {
      batch.ends.set(row.key, row);
    }
    batch.events.push(event);
    return batch.done;
  }

  /** Appends a trace event (fenced like the steps' writes). */
  event(event: StepEvent): Promise<void> {
    const batch = this.batch();
    batch.events.push(event);
    return batch.done;
  }

  /** Resolves when everything recorded so far is committed; rejects with the first failure. */
  async flushed(): Promise<void> {
    while (this.open || this.inFlight) await (this.open?.done ?? this.last).catch(() => {});
    if (this.failure !== undefined) throw this.failure;
  }

  private batch(): Batch {
    if (this.failure !== undefined) {
      const failed = openBatch();
      failed.settle(this.failure);
      return failed;
    }
    if (!this.open) {
      this.open = openBatch();
      // Wait for the rest of this turn (a step's end is followed by the next start, a parallel
      // node's start by its branches'); when a statement is in flight, its completion sends it.
      if (!this.inFlight) setImmediate(() => this.send());
    }
    return this.open;
  }

  private send(): void {
    const batch = this.open;
    if (!batch || this.inFlight) return;
    this.open = null;
    this.inFlight = true;
    this.last = this.write(batch).finally(() => {
      this.inFlight = false;
      if (this.open) this.send();
    });
  }

  private async write(batch: Batch): Promise<void> {
    try {
      if (this.failure !== undefined) throw this.failure;
      const ok = await recordStepWrites(this.db, this.fence, {
        starts: [...batch.starts.values()],
        ends: [...batch.ends.values()],
        events: batch.events,
      });
      if (!ok) throw new LeaseLost();
      batch.settle();
    } catch (error) {
      this.failure ??= error;
      batch.settle(error);
    }
  }
}
