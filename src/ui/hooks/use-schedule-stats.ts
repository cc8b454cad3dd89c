import { useEffect, useRef, useState } from 'react';
import { schedulesApi } from '../api/endpoints.ts';
import type { ScheduleStats } from '../../sdk/index.ts';

/**
 * Stats over `window` for each listed schedule, fetched a few at a time and refreshed every
 * `intervalMs`; a schedule whose stats fail simply shows no rate.
 */
export function useScheduleStats(ids: string[], window: string, intervalMs = 15_000): Map<string, ScheduleStats> {
  const [stats, setStats] = useState(() => new Map<string, ScheduleStats>());
  const key = ids.join(',');
  const windowRef = useRef(window);
  useEffect(() => {
    if (windowRef.current !== window) {
      windowRef.current = window;
      setStats(new Map());
    }
    let cancelled = false;
    const load = async () => {
      const queue = key ? key.split(',') : [];
      const results = new Map<string, ScheduleStats>();
      const worker = async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          try {
            results.set(id, await schedulesApi.stats(id, window));
          } catch {
            // no rate for this one
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      if (!cancelled) setStats(results);
    };
    void load();
    const timer = globalThis.setInterval(() => document.visibilityState === 'visible' && void load(), intervalMs);
    return () => {
      cancelled = true;
      globalThis.clearInterval(timer);
    };
  }, [key, window, intervalMs]);
  return stats;
}
