import type { Queryable } from './database.ts';

export interface ScheduleEventRow {
  id: number;
  schedule_id: string;
  at: Date;
  kind: string;
  data: unknown;
}

export async function appendScheduleEvents(
  db: Queryable,
  events: ReadonlyArray<{ scheduleId: string; kind: string; data?: unknown; at: Date }>,
): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO schedule_events (schedule_id, kind, data, at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::timestamptz[])`,
    [
      events.map((event) => event.scheduleId),
      events.map((event) => event.kind),
      events.map((event) => (event.data === undefined ? null : JSON.stringify(event.data))),
      events.map((event) => event.at),
    ],
  );
}

export async function listScheduleEvents(
  db: Queryable,
  scheduleId: string,
  options: { kind?: string; limit?: number } = {},
): Promise<ScheduleEventRow[]> {
  const { rows } = await db.query<ScheduleEventRow>(
    `SELECT * FROM schedule_events WHERE schedule_id = $1 AND ($2::text IS NULL OR kind = $2)
     ORDER BY at DESC, id DESC LIMIT $3`,
    [scheduleId, options.kind ?? null, options.limit ?? 100],
  );
  return rows;
}
