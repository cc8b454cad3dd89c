import { useEffect, useState } from 'react';
import { schedulesApi } from '../api/endpoints.ts';

/** Descriptions do not change for a given expression: ask once per cron, for the whole session. */
const cache = new Map<string, string>();
const pending = new Set<string>();

/**
 * Cron expressions in words ("At 09:00, Monday through Friday"), from the preview endpoint, since
 * a schedule as listed carries only its cron. Returns a lookup that fills in as answers arrive.
 */
export function useCronDescriptions(crons: string[]): (cron: string) => string | undefined {
  const [, setVersion] = useState(0);
  const key = [...new Set(crons)].sort().join('\n');
  useEffect(() => {
    const missing = key.split('\n').filter((cron) => cron && !cache.has(cron) && !pending.has(cron));
    if (missing.length === 0) return;
    let live = true;
    for (const cron of missing) pending.add(cron);
    void Promise.all(
      missing.map((cron) =>
        schedulesApi.preview({ cron, timezone: 'UTC' }, 1).then(
          (preview) => {
            if (preview.description) cache.set(cron, preview.description);
          },
          () => undefined,
        ),
      ),
    ).then(() => {
      for (const cron of missing) pending.delete(cron);
      if (live) setVersion((v) => v + 1);
    });
    return () => {
      live = false;
    };
  }, [key]);
  return (cron) => cache.get(cron);
}
