import { rateWindowMs } from './claim-runs.ts';

/**
 * A scalar SQL expression: the earliest instant after `now` (a timestamptz parameter) at which an
 * assistant at its `rate_limit` with due pending runs may start one more, i.e. when the
 * rate_limit-th newest of its starts in the window leaves it; null when no run waits for a rate.
 * Runs held by `max_concurrent` need no timer: a finishing run wakes the workers.
 */
export function nextQuotaSql(now: string): string {
  const window = `make_interval(secs => ${rateWindowMs / 1000})`;
  return `(SELECT min(w.started_at) + ${window} FROM assistants a
    CROSS JOIN LATERAL (
      SELECT x.started_at FROM runs x
      WHERE x.assistant_id = a.id AND x.started_at > ${now}::timestamptz - ${window}
      ORDER BY x.started_at DESC OFFSET a.rate_limit - 1 LIMIT 1
    ) w
    WHERE a.rate_limit IS NOT NULL
      AND EXISTS (SELECT 1 FROM runs p WHERE p.assistant_id = a.id AND p.status = 'pending' AND p.not_before <= ${now}::timestamptz))`;
}
