import type { Queryable } from './database.ts';

/** A failed run of the digest's window, with its schedule's and assistant's names. */
export interface DigestFailureRow {
  run_id: string;
  schedule: string | null;
  assistant: string | null;
  status: string;
  error_kind: string | null;
  error: string | null;
  finished_at: Date | null;
}

/** One of the slowest runs of the digest's window. */
export interface DigestSlowRunRow {
  run_id: string;
  schedule: string | null;
  assistant: string | null;
  status: string;
  duration_ms: number;
}

export interface RunDigestRows {
  /** Database time: the window is `[from, to]`. */
  from: Date;
  to: Date;
  counts: Array<{ status: string; count: number }>;
  /** The 10 latest errors and timeouts. */
  failures: DigestFailureRow[];
  /** The 5 longest runs. */
  slowest: DigestSlowRunRow[];
}

/**
 * The runs created in the last `hours` (database time) for the built-in digest: counts by
 * status, the latest failures, the slowest runs. `ownerId` null: every owner's runs. The run
 * that asks (`excludeRunId`) is left out.
 */
export async function readRunDigest(
  db: Queryable,
  options: { hours: number; ownerId: string | null; excludeRunId: string },
): Promise<RunDigestRows> {
  const window = await db.query<{ from: Date; to: Date }>(
    `SELECT now() - ($1::double precision * interval '1 hour') AS "from", now() AS "to"`,
    [options.hours],
  );
  const { from, to } = window.rows[0]!;
  // Every query: runs created in the window, in scope, without the digest's own run.
  const scope = `r.created_at >= $1 AND ($2::uuid IS NULL OR r.owner_id = $2) AND r.id <> $3`;
  const params = [from, options.ownerId, options.excludeRunId];
  const [counts, failures, slowest] = await Promise.all([
    db.query<{ status: string; count: number }>(
      `SELECT r.status, count(*)::int AS count FROM runs r WHERE ${scope} GROUP BY r.status ORDER BY r.status`,
      params,
    ),
    db.query<DigestFailureRow>(
      `SELECT r.id AS run_id, s.name AS schedule, a.name AS assistant, r.status, r.error_kind,
              left(r.error, 300) AS error, r.finished_at
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id LEFT JOIN assistants a ON a.id = r.assistant_id
       WHERE ${scope} AND r.status IN ('error', 'timeout')
       ORDER BY r.finished_at DESC NULLS LAST, r.created_at DESC LIMIT 10`,
      params,
    ),
    db.query<DigestSlowRunRow>(
      `SELECT r.id AS run_id, s.name AS schedule, a.name AS assistant, r.status, r.duration_ms
       FROM runs r LEFT JOIN schedules s ON s.id = r.schedule_id LEFT JOIN assistants a ON a.id = r.assistant_id
       WHERE ${scope} AND r.duration_ms IS NOT NULL
       ORDER BY r.duration_ms DESC, r.created_at DESC LIMIT 5`,
      params,
    ),
  ]);
  return { from, to, counts: counts.rows, failures: failures.rows, slowest: slowest.rows };
}
