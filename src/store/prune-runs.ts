import type { Database } from './database.ts';

/**
 * Deletes finished runs (and, by cascade, their events) older than the retention, in small
 * batches so that no statement holds many locks or runs long. Returns the number deleted.
 */
export async function pruneRuns(
  db: Database,
  options: { now: number; retentionDays: number; batchSize?: number; maxBatches?: number },
): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const cutoff = new Date(options.now - options.retentionDays * 86_400_000);
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 1000); batch++) {
    const { rowCount } = await db.query(
      `DELETE FROM runs WHERE id IN (
         SELECT id FROM runs WHERE finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [cutoff, batchSize],
    );
    total += rowCount;
    if (rowCount < batchSize) break;
  }
  return total;
}
