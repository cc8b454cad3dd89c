import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';

/**
 * PostgreSQL's tools and PgBouncer refuse to run as root. When the tests run as root (a CI
 * container), the servers they start run as the `postgres` user instead; otherwise as the caller.
 */
export function unprivileged(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Hands a directory the test created to the user its server runs as. */
export function handOver(dir: string): void {
  const user = unprivileged();
  if (user) chownSync(dir, user.uid, user.gid);
}
