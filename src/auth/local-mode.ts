import { isIP } from 'node:net';
import { ConfigError } from '../config.ts';
import { hasActiveApiKeys } from '../store/api-keys.ts';
import type { Queryable } from '../store/database.ts';

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export type AuthMode = 'local' | 'keys';

/**
 * Decides how a server bound to `host` authenticates, before it listens: `local` (loopback and
 * no active keys: every request acts as the local admin) or `keys`. Bound elsewhere with no keys,
 * it throws a ConfigError telling how to create the first key.
 */
export async function resolveAuthMode(db: Queryable, host: string): Promise<AuthMode> {
  if (await hasActiveApiKeys(db)) return 'keys';
  if (isLoopbackHost(host)) return 'local';
  throw new ConfigError(
    `refusing to serve on ${host} without API keys: anyone who can reach it would act as admin. ` +
      'Create the first key with `kairos keys create --role admin` (it prints the key once), ' +
      'or bind to 127.0.0.1 for local mode.',
  );
}

export const localModeMessage =
  'local mode: no API keys exist and the server is bound to loopback, so every request acts as the local admin. ' +
  'Create a key with `kairos keys create --role admin` to require keys.';

/**
 * Whether a server bound to `host` is in local mode now (loopback, no active key), as the
 * address guard asks it: loopback agents are allowed then. The answer is kept for a second.
 */
export function localModeProbe(db: Queryable, host: string): () => Promise<boolean> {
  if (!isLoopbackHost(host)) return async () => false;
  let known: { local: boolean; at: number } | undefined;
  return async () => {
    const now = Date.now();
    if (known && now - known.at < 1000) return known.local;
    known = { local: !(await hasActiveApiKeys(db)), at: now };
    return known.local;
  };
}
