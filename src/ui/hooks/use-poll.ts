import { useCallback, useEffect, useRef, useState } from 'react';

/** Every mounted poll refetches when something changed (an action, a key entered). */
const refreshBus = new EventTarget();

export function refreshAll(): void {
  refreshBus.dispatchEvent(new Event('refresh'));
}

/** Calls `listener` on every {@link refreshAll}; returns the unsubscribe function. */
export function onRefreshAll(listener: () => void): () => void {
  refreshBus.addEventListener('refresh', listener);
  return () => refreshBus.removeEventListener('refresh', listener);
}

export interface Poll<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refresh: () => void;
}

/**
 * Fetches now, again every `intervalMs` while the tab is visible, and on {@link refreshAll}.
 * The last good data stays on screen while a refetch is in flight or fails.
 */
export function usePoll<T>(fetcher: (signal: AbortSignal) => Promise<T>, deps: unknown[], intervalMs = 4000): Poll<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const controller = useRef<AbortController | undefined>(undefined);
  const generation = useRef(0);

  const load = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    const mine = ++generation.current;
    fetcherRef.current(current.signal).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current || (failure as Error).name === 'AbortError') return;
        setError(failure as Error);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    setError(undefined);
    load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && load();
    document.addEventListener('visibilitychange', onVisible);
    refreshBus.addEventListener('refresh', load);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      refreshBus.removeEventListener('refresh', load);
      controller.current?.abort();
    };
  }, deps);

  return { data, error, loading, refresh: load };
}

/**
 * The last defined value: a list keeps its rows on screen while the next page or search is read
 * (a poll whose deps change starts empty), instead of flashing a loading state on each keystroke.
 */
export function useKept<T>(value: T | undefined): T | undefined {
  const kept = useRef(value);
  if (value !== undefined) kept.current = value;
  return value ?? kept.current;
}
