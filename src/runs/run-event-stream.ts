import type { Database } from '../store/database.ts';
import { listRunEventsAfter } from '../store/run-events.ts';
import { findRun } from '../store/runs.ts';
import { finalStatuses } from './run-status.ts';
import { toStreamEvent, type StreamEvent } from './stream-kinds.ts';

export interface RunEventStreamOptions {
  db: Database;
  runId: string;
  /** Send only events after this sequence number (`Last-Event-ID`); 0 = from the first. */
  afterSeq: number;
  signal: AbortSignal;
  /** The slow re-read that covers a lost notification (default 5 s). */
  pollMs?: number;
}

const page = 500;

/**
 * A run's events from `afterSeq` on, then live until the run ends; the last event is `end`
 * (status, error, output, usage), sent with the sequence number of the run's last event.
 * Woken by NOTIFY (`run_events`, appended by a trigger on any replica, and `run_finished`), so
 * any replica can serve any run's stream. Access is the caller's to check.
 *
 * @example
 * for await (const event of runEventStream({ db, runId, afterSeq: 0, signal })) send(event);
 */
export async function* runEventStream(options: RunEventStreamOptions): AsyncGenerator<StreamEvent> {
  const { db, runId, signal } = options;
  let pending = false;
  let wake = () => {};
  const poke = (id: string) => {
    if (id !== runId) return;
    pending = true;
    wake();
  };
  // Subscribed before the first read, so nothing appended in between is missed.
  const unlisten = [await db.listen('run_events', poke), await db.listen('run_finished', poke)];
  try {
    let after = options.afterSeq;
    for (;;) {
      pending = false;
      // The status first: once final, every event of the run is already committed.
      const run = await findRun(db, runId);
      const rows = await listRunEventsAfter(db, runId, after, page);
      for (const row of rows) {
        after = row.seq;
        const event = toStreamEvent(row);
        if (event) yield event;
      }
      if (rows.length === page) continue;
      if (!run || finalStatuses.has(run.status)) {
        yield {
          kind: 'end',
          seq: after,
          at: (run?.finished_at ?? new Date()).toISOString(),
          status: run?.status ?? 'deleted',
          error_kind: run?.error_kind ?? null,
          error: run?.error ?? null,
          output: run?.output ?? null,
          usage: run?.usage ?? null,
        };
        return;
      }
      if (signal.aborted) return;
      if (!pending) await sleep(options.pollMs ?? 5000, signal, (resolve) => (wake = resolve));
    }
  } finally {
    for (const stop of unlisten) await stop().catch(() => {});
  }
}

function sleep(ms: number, signal: AbortSignal, expose: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    expose(done);
  });
}
