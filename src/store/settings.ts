import type { Queryable } from './database.ts';

/**
 * Records `key` once for this installation. Resolves true for the one caller that recorded it,
 * false for everyone after (or concurrently): a race-free "first time" check.
 */
export async function recordSettingOnce(db: Queryable, key: string, value: unknown = true): Promise<boolean> {
  const { rows } = await db.query(
    'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key',
    [key, JSON.stringify(value)],
  );
  return rows.length === 1;
}
