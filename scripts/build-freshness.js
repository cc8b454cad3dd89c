// Whether dist/ holds a build of the current sources: read by bin/kairos.js on every start, so
// it must stay cheap (one readdir per folder and one stat per file of src/, no hashing, no
// imports beyond node:fs). Plain JavaScript: it runs before there is any build.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The stamp the build writes last, after every file it names: `dist/build.json`. */
export const stampName = 'build.json';

/** Folders of src/ that are not part of the server build (the dashboard has its own). */
const skipped = new Set(['src/ui']);

/**
 * The state of the sources the build depends on: every file of src/ (the dashboard excepted)
 * and the build script itself, as `path size mtime` lines. Any edit, added, removed or renamed
 * file, or a checkout that restores an older mtime, changes it; comparing it for equality (not
 * "newer than") also holds when clocks or copies move mtimes backwards.
 */
export function sourceFingerprint(root) {
  const lines = [];
  const walk = (relative) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skipped.has(path)) walk(path);
      } else {
        const stat = statSync(join(root, path));
        lines.push(`${path} ${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  walk('src');
  const script = statSync(join(root, 'scripts', 'build.js'));
  lines.push(`scripts/build.js ${script.size} ${script.mtimeMs}`);
  return lines.sort().join('\n');
}

/** The stamp in `distDir`, or undefined when there is none (or it is unreadable). */
export function readStamp(distDir) {
  try {
    const stamp = JSON.parse(readFileSync(join(distDir, stampName), 'utf8'));
    return typeof stamp?.fingerprint === 'string' && typeof stamp?.entry === 'string' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a start runs. `dev` (KAIROS_DEV=1): the sources through tsx. A stamp whose fingerprint
 * equals the sources': the build it names. Otherwise the build is missing or stale: rebuild.
 * Pure, so that the choice is tested apart from the file system (test/cli/build-freshness.test.ts).
 */
export function chooseEntry({ dev, stamp, fingerprint }) {
  if (dev) return { run: 'sources', reason: 'KAIROS_DEV=1' };
  if (stamp === undefined) return { run: 'rebuild', reason: 'not built yet' };
  if (stamp.fingerprint !== fingerprint) return { run: 'rebuild', reason: 'sources changed since the last build' };
  return { run: 'build', entry: stamp.entry };
}
