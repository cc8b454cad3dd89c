import { useEffect, useRef, useState } from 'react';
import { schedulesApi } from '../api/endpoints.ts';
import type { ScheduleRates } from '../../sdk/index.ts';

export type ScheduleRate = ScheduleRates['data'][number];

/**
 * Runs by status and the success rate over `window` of the listed schedules, in one request for
 * the whole page (`GET /api/v1/schedule-rates`), refreshed every `intervalMs`; when it fails the
 * rows simply show no rate.
 */
export function useScheduleStats(ids: string[], window: string, intervalMs = 15_000): Map<string, ScheduleRate> {
  const [stats, setStats] = useState(() => new Map<string, ScheduleRate>());
  const key = ids.join(',');
  const windowRef = useRef(window);
  useEffect(() => {
    if (windowRef.current !== window) {
      windowRef.current = window;
      setStats(new Map());
    }
    const controller = new AbortController();
    const load = async () => {
      if (!key) return setStats(new Map());
      try {
        const answer = await schedulesApi.rates(key.split(','), window, controller.signal);
        if (!controller.signal.aborted) setStats(new Map(answer.data.map((rate) => [rate.schedule_id, rate])));
      } catch {
        // no rates this time
      }
    };
    void load();
    const timer = globalThis.setInterval(() => document.visibilityState === 'visible' && void load(), intervalMs);
    return () => {
      controller.abort();
      globalThis.clearInterval(timer);
    };
  }, [key, window, intervalMs]);
  return stats;
}
