import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The embedded database's data directory is held by another running process. */
export class DataDirLockedError extends Error {
  readonly code = 'data_dir_locked';
}

interface LockInfo {
  pid: number;
  command: string;
  started_at: string;
}

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file `kairos.lock` in an embedded data directory, or throws naming the
 * directory and the process that holds it. PGlite is one process's database: opened twice, two
 * WebAssembly Postgres instances would write the same files and corrupt them. A lock left by a
 * process that no longer runs (SIGKILL, power loss) is taken over. Resolves to the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'kairos.lock');
  const info: LockInfo = {
    pid: process.pid,
    command: process.argv.slice(1).join(' '),
    started_at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (held.has(file)) throw lockedError(dataDir, info, 'this process');
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      held.add(file);
      return () => {
        if (!held.delete(file)) return;
        if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readLock(file);
    // A pid equal to ours that this process does not hold was left by an earlier process (a
    // container restarts with the same pid); a dead pid was left by a killed one: both are stale.
    if (owner && owner.pid !== process.pid && alive(owner.pid)) throw lockedError(dataDir, owner);
    rmSync(file, { force: true });
  }
  throw new DataDirLockedError(`could not lock the data directory ${dataDir}: another process keeps taking it`);
}

function lockedError(dataDir: string, owner: LockInfo, who = `process ${owner.pid}`): DataDirLockedError {
  return new DataDirLockedError(
    `the data directory ${dataDir} is in use by ${who} (${owner.command || 'kairos'}, since ${owner.started_at}): ` +
      'the embedded database can be opened by one process only. Stop that process, talk to it over the API ' +
      '(--url / KAIROS_URL), or set KAIROS_DATA_DIR to another directory',
  );
}
