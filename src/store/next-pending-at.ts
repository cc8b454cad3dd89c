import type { Queryable } from './database.ts';

/**
 * A scalar SQL expression: the earliest instant after `now` (a timestamptz parameter) at which an
 * assistant at its `rate_limit` with due pending runs may start one more, i.e. when the
 * rate_limit-th newest of its starts in the window leaves it; null when no run waits for a rate.
 * Runs held by `max_concurrent` need no timer: a finishing run wakes the workers.
 */
function nextQuotaSql(now: string, windowMs: number): string {
  const window = `make_interval(secs => ${windowMs / 1000})`;
  return `(SELECT min(w.started_at) + ${window} FROM assistants a
    CROSS JOIN LATERAL (
      SELECT x.started_at FROM runs x
      WHERE x.assistant_id = a.id AND x.started_at > ${now}::timestamptz - ${window}
      ORDER BY x.started_at DESC OFFSET a.rate_limit - 1 LIMIT 1
    ) w
    WHERE a.rate_limit IS NOT NULL
      AND EXISTS (SELECT 1 FROM runs p WHERE p.assistant_id = a.id AND p.status = 'pending' AND p.not_before <= ${now}::timestamptz))`;
}

/**
 * The earliest instant after `now` at which a provider holding due pending runs of its assistants
 * may admit one more: its pause ends, or the oldest call of a full window leaves it (docs/gates.md).
 */
function nextProviderSql(now: string, windowMs: number): string {
  const window = `make_interval(secs => ${windowMs / 1000})`;
  return `(SELECT min(t) FROM providers p
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN p.paused_until > ${now}::timestamptz THEN p.paused_until END),
      ((SELECT min(c.at) FROM provider_calls c WHERE c.provider_id = p.id AND c.at > ${now}::timestamptz - ${window}) + ${window})
    ) v(t)
    WHERE (p.rpm IS NOT NULL OR p.tpm IS NOT NULL OR p.paused_until > ${now}::timestamptz)
      AND EXISTS (SELECT 1 FROM runs r JOIN assistants a ON a.id = r.assistant_id
        WHERE a.owner_id = p.owner_id AND a.provider = p.name AND r.status = 'pending' AND r.not_before <= ${now}::timestamptz))`;
}

/** When the worker loop must look again (milliseconds since the epoch; undefined: nothing known). */
export interface NextPending {
  /** The earliest `not_before` of a pending run after `now`. */
  at: number | undefined;
  /** When an assistant held by its `rate_limit` (window `rateWindowMs`), or a provider by its window or pause, admits one more run. */
  quotaAt: number | undefined;
}

/**
 * The worker's next wake-up, in one statement: the next pending run after `now`, and the next
 * instant a rate-limited assistant admits a run. `rateWindowMs` is a whole number of milliseconds.
 */
export async function nextPendingAt(db: Queryable, now: Date, rateWindowMs: number): Promise<NextPending> {
  if (!Number.isInteger(rateWindowMs)) throw new Error('rateWindowMs must be a whole number of milliseconds');
  const { rows } = await db.query<{ at: Date | null; quota_at: Date | null }>(
    `SELECT (SELECT min(not_before) FROM runs WHERE status = 'pending' AND not_before > $1) AS at,
            least(${nextQuotaSql('$1', rateWindowMs)}, ${nextProviderSql('$1', rateWindowMs)}) AS quota_at`,
    [now],
  );
  return { at: rows[0]?.at?.getTime(), quotaAt: rows[0]?.quota_at?.getTime() };
}
