import type { Database, Queryable } from './database.ts';

/**
 * The notifications of one transaction, sent on commit. `db` names the channels (they carry the
 * schema); `tx` sends them, so a rolled-back change wakes no one.
 */

/** Wakes the scheduler loops: a schedule's next fire time is `atMs` (they re-arm their timer). */
export async function notifySchedules(tx: Queryable, db: Pick<Database, 'channelName'>, atMs: number): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [db.channelName('schedules'), String(atMs)]);
}

/** Wakes the workers: runs are due from `atMs`. */
export async function notifyRuns(tx: Queryable, db: Pick<Database, 'channelName'>, atMs: number): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [db.channelName('runs'), String(atMs)]);
}

/**
 * Tells waiters (`runs wait`, SSE streams) that these runs finished; nothing when there are none.
 * One notification carries up to 200 ids, comma-separated (read them with {@link runFinishedIds}).
 */
export async function notifyRunsFinished(
  tx: Queryable,
  db: Pick<Database, 'channelName'>,
  runIds: readonly string[],
): Promise<void> {
  if (runIds.length === 0) return;
  await tx.query(
    `SELECT pg_notify($1, string_agg(id::text, ',')) FROM (
       SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM unnest($2::uuid[]) AS id) c GROUP BY chunk`,
    [db.channelName('run_finished'), runIds],
  );
}

/** The run ids of one `run_finished` notification (one id, or several comma-separated). */
export function runFinishedIds(payload: string): string[] {
  return payload.split(',');
}

/** Asks the worker that runs this run to abort it (a cancel on request). */
export async function notifyRunCancel(tx: Queryable, db: Pick<Database, 'channelName'>, runId: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [db.channelName('run_cancel'), runId]);
}

/** Wakes the debounce timers: a trigger's debounce is due at `atMs` (they re-arm their timer). */
export async function notifyDebounces(tx: Queryable, db: Pick<Database, 'channelName'>, atMs: number): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [db.channelName('debounces'), String(atMs)]);
}
