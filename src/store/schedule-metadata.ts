import type { Queryable } from './database.ts';

/** The `metadata` of each of the given schedules (those that still exist). */
export async function scheduleMetadataOf(
  db: Queryable,
  scheduleIds: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (scheduleIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; metadata: Record<string, unknown> }>(
    'SELECT id, metadata FROM schedules WHERE id = ANY($1::uuid[])',
    [[...new Set(scheduleIds)]],
  );
  return new Map(rows.map((row) => [row.id, row.metadata]));
}
