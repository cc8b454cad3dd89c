import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * Writes a copy of the embedded database in `dataDir` to `file`: PGlite's own dump of its data
 * directory (a gzipped tar), taken with the directory locked, so no server may hold it. Written
 * to a temporary file first and renamed, so a crash never leaves a half backup under the name.
 * Resolves to the size in bytes.
 */
export async function backupPglite(dataDir: string, file: string): Promise<number> {
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  try {
    const db = new PGlite(dataDir);
    try {
      await db.waitReady;
      const dump = await db.dumpDataDir('gzip');
      const bytes = Buffer.from(await dump.arrayBuffer());
      const target = resolve(file);
      mkdirSync(dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      writeFileSync(partial, bytes);
      renameSync(partial, target);
      return bytes.length;
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

/** The data directory already holds a database and `force` was not given. */
export class RestoreRefusedError extends Error {
  readonly code = 'restore_refused';
}

/**
 * Replaces the embedded database in `dataDir` with the backup in `file` (made by
 * {@link backupPglite}). Refuses a directory that already holds a database unless `force`; the
 * directory is locked throughout, so a running server stops the restore, never the other way round.
 */
export async function restorePglite(dataDir: string, file: string, options: { force?: boolean } = {}): Promise<void> {
  const bytes = readFileSync(file);
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  try {
    const existing = readdirSync(dataDir).filter((name) => name !== 'kairos.lock');
    if (existing.length > 0) {
      if (!options.force) {
        throw new RestoreRefusedError(
          `the data directory ${dataDir} already holds a database: restore into an empty directory (KAIROS_DATA_DIR), or pass --force to replace it`,
        );
      }
      for (const name of existing) rmSync(join(dataDir, name), { recursive: true, force: true });
    }
    const db = new PGlite(dataDir, { loadDataDir: new Blob([bytes]) });
    try {
      await db.waitReady;
      await db.query('SELECT 1');
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}
