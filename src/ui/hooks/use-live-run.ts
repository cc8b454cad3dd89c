import { useEffect, useState } from 'react';
import type { RunWithEvents } from '../../sdk/index.ts';
import { ApiError } from '../api/client.ts';
import { runsApi } from '../api/endpoints.ts';
import { openRunStream } from '../api/run-stream.ts';
import { onRefreshAll } from './use-poll.ts';

const finished = new Set(['success', 'error', 'timeout', 'cancelled', 'skipped']);

/** The stream's events after which the run (its status, step tree, wait) is read again. */
const refetchKinds = new Set(['status', 'node_start', 'node_end', 'wait', 'decision', 'end']);

/** Events closer together than this are read as one refetch. */
const debounceMs = 150;
/** The poll used only when the stream does not open (an older server without the route). */
export const fallbackPollMs = 5000;

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      window.clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    const timer = window.setTimeout(stop, ms);
    signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * A run, kept live: read once, then again on each of its stream's later events (debounced, at most one
 * read in flight) until `end`. A dropped stream reconnects with the last event id; a stream that
 * does not open falls back to a slow poll. Everything stops when the caller unmounts.
 */
export function useLiveRun(runId: string): { data: RunWithEvents | undefined; error: Error | undefined } {
  const [data, setData] = useState<RunWithEvents>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    const controller = new AbortController();
    const { signal } = controller;
    let inFlight: Promise<RunWithEvents | undefined> | undefined;
    let again = false;
    let debounce: number | undefined;

    const read = (): Promise<RunWithEvents | undefined> => {
      if (inFlight) {
        again = true;
        return inFlight;
      }
      inFlight = runsApi.get(runId, signal).then(
        (run) => {
          if (!signal.aborted) {
            setData(run);
            setError(undefined);
          }
          return run;
        },
        (failure: unknown) => {
          if (!signal.aborted && (failure as Error).name !== 'AbortError') setError(failure as Error);
          return undefined;
        },
      );
      void inFlight.finally(() => {
        inFlight = undefined;
        if (again && !signal.aborted) {
          again = false;
          void read();
        }
      });
      return inFlight;
    };
    const readSoon = () => {
      window.clearTimeout(debounce);
      debounce = window.setTimeout(() => void read(), debounceMs);
    };

    const poll = async () => {
      while (!signal.aborted) {
        await delay(fallbackPollMs, signal);
        if (signal.aborted) return;
        if (document.visibilityState !== 'visible') continue;
        const run = await read();
        if (run && finished.has(run.status)) return;
      }
    };

    const follow = async () => {
      const first = await read();
      if (signal.aborted || (first && finished.has(first.status))) return;
      // The first read covers the trace up to its last event: the stream starts after it.
      const seqs = (first?.events ?? []).map((event) => event.seq);
      let lastEventId: number | undefined = seqs.length > 0 ? Math.max(...seqs) : undefined;
      let opened = false;
      let failures = 0;
      while (!signal.aborted) {
        let events: AsyncGenerator<{ kind: string; seq: number }>;
        try {
          events = await openRunStream(runId, { lastEventId, signal });
        } catch (failure) {
          if (signal.aborted) return;
          // The server answered without a stream (an old server, a refusal), or it never opened.
          if (!opened || (failure instanceof ApiError && failure.status > 0) || ++failures > 5) return poll();
          await delay(Math.min(1000 * 2 ** failures, 10_000), signal);
          continue;
        }
        opened = true;
        failures = 0;
        try {
          for await (const event of events) {
            lastEventId = event.seq;
            if (event.kind === 'end') {
              window.clearTimeout(debounce);
              await read();
              return;
            }
            if (refetchKinds.has(event.kind)) readSoon();
          }
        } catch {
          // dropped: reconnect below
        }
        if (signal.aborted) return;
        // The stream ended without `end` (a proxy or the server went away): resume after the last event.
        await delay(1000, signal);
      }
    };

    void follow();
    const unsubscribe = onRefreshAll(() => void read());
    return () => {
      unsubscribe();
      window.clearTimeout(debounce);
      controller.abort();
    };
  }, [runId]);

  return { data, error };
}
