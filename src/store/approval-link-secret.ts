import { randomBytes } from 'node:crypto';
import type { Queryable } from './database.ts';

const settingKey = 'approval_link_secret';

/**
 * The installation's secret for signed approval links: generated once (the first replica to ask
 * stores it, every replica reads the same one) and kept in `settings`.
 */
export async function approvalLinkSecret(db: Queryable): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    settingKey,
    JSON.stringify(randomBytes(32).toString('base64url')),
  ]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [settingKey]);
  return rows[0]!.value;
}
