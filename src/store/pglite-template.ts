import { createHash } from 'node:crypto';
import {
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openPglite } from './pglite-driver.ts';

/**
 * A fresh embedded data directory is a copy of a template: a data directory initialised
 * (`initdb`) and migrated once, kept in `node_modules/.cache/kairos/`. PGlite's own `initdb` runs
 * a second WebAssembly Postgres and costs seconds and hundreds of MB; a copy costs milliseconds.
 * The template is named by PGlite's version, the schema and the migrations' contents, so a new
 * migration or PGlite release builds a new one. Any failure (a read-only install) only means the
 * slow path: PGlite initialises the directory itself.
 */
export const templateCacheDir = join(packageRoot, 'node_modules', '.cache', 'kairos');

/** A data directory PGlite has initialised: it holds PG_VERSION (copied last, so only a whole copy has it). */
export const isInitialised = (dataDir: string) => existsSync(join(dataDir, 'PG_VERSION'));

function pgliteVersion(): string {
  try {
    const manifest = join(packageRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function templateName(schema: string): Promise<string> {
  const hash = createHash('sha256');
  for (const migration of await loadMigrations()) hash.update(`${migration.id}\0${migration.name}\0${migration.sql}\0`);
  return `pglite-${pgliteVersion()}-${schema}-${hash.digest('hex').slice(0, 16)}`;
}

/** Builds the template beside its final place and renames it in: concurrent builders are harmless. */
async function buildTemplate(path: string, schema: string): Promise<void> {
  const building = `${path}.building-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const db = await openPglite({ dataDir: building, schema });
    try {
      await migrate(db);
      await db.exec('CHECKPOINT');
    } finally {
      await db.close();
    }
    rmSync(join(building, 'kairos.lock'), { force: true });
    try {
      renameSync(building, path);
    } catch (error) {
      if (!isInitialised(path)) throw error; // else: another process built it first
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Removes templates of other versions or migrations (one per schema is kept). */
function removeOtherTemplates(cacheDir: string, keep: string, schema: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || !name.startsWith('pglite-') || !name.includes(`-${schema}-`)) continue;
    const path = join(cacheDir, name);
    // A build in progress (another process) is left alone for an hour.
    if (name.includes('.building-') && Date.now() - statSync(path).mtimeMs < 3_600_000) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

export type TemplateOutcome = 'existing' | 'copied' | 'built' | 'unavailable';

/**
 * Fills a data directory that PGlite has not initialised with a copy of the template (built
 * first if missing), under its lock (openPglite's `seed`). Returns how it went; never throws.
 */
export async function seedFromTemplate(
  dataDir: string,
  schema: string,
  cacheDir = templateCacheDir,
): Promise<TemplateOutcome> {
  if (isInitialised(dataDir)) return 'existing';
  try {
    mkdirSync(cacheDir, { recursive: true });
    const name = await templateName(schema);
    const template = join(cacheDir, name);
    let outcome: 'copied' | 'built' = 'copied';
    if (!isInitialised(template)) {
      await buildTemplate(template, schema);
      removeOtherTemplates(cacheDir, name, schema);
      outcome = 'built';
    }
    mkdirSync(dataDir, { recursive: true });
    // A copy-on-write clone where the file system has them (btrfs, XFS, APFS), else a plain copy.
    const copy = { recursive: true, force: true, mode: constants.COPYFILE_FICLONE };
    for (const entry of readdirSync(template)) {
      if (entry !== 'PG_VERSION') cpSync(join(template, entry), join(dataDir, entry), copy);
    }
    cpSync(join(template, 'PG_VERSION'), join(dataDir, 'PG_VERSION'), copy);
    return outcome;
  } catch {
    return 'unavailable';
  }
}
