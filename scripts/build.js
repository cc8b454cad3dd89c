#!/usr/bin/env node
// Compiles the CLI and the server (src/, not the dashboard) to JavaScript in dist/ with esbuild:
// one bundle of our own code with a chunk per lazily loaded part (packages stay imports of
// node_modules), so `kairos cron` loads the cron engine and commander, nothing else.
// Run by `npm install`/`npm ci` (prepare), `npm run build`, and bin/kairos.js when dist/ is
// missing or stale. Usage: node scripts/build.js [--if-stale] [--clean]
//
// Safe to run concurrently and while other processes run an older build: every output file is
// named by the hash of its content and written under a temporary name then renamed; the stamp
// (dist/build.json) that names the entry is written last, so a reader never sees half a build.
// Files of other builds are removed once they are a day old.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chooseEntry, readStamp, sourceFingerprint, stampName } from './build-freshness.js';

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const keepOtherBuildsMs = 24 * 60 * 60 * 1000;

/**
 * esbuild as tsx (a dependency) installs it: the version tsx is tested with, wherever npm put it.
 * The build needs no package of its own.
 */
function loadEsbuild(root) {
  const fromRoot = createRequire(join(root, 'package.json'));
  return createRequire(fromRoot.resolve('tsx/package.json'))('esbuild');
}

function writeAtomically(path, contents) {
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function removeOldFiles(distDir, current) {
  const now = Date.now();
  for (const name of readdirSync(distDir)) {
    if (current.has(name) || name === stampName) continue;
    const path = join(distDir, name);
    try {
      if (now - statSync(path).mtimeMs > keepOtherBuildsMs) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}

/** Builds `root`/src into `root`/dist and returns the stamp it wrote: `{ fingerprint, entry, meta }`. */
export async function build({ root = defaultRoot, clean = false } = {}) {
  // Taken before compiling: an edit made during the build leaves the stamp stale, not wrong.
  const fingerprint = sourceFingerprint(root);
  const esbuild = loadEsbuild(root);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Flat on purpose: every file sits one level below the package root, as src/*.ts do, so
    // `new URL('..', import.meta.url)` is the package root in both (src/package-root.ts).
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const distDir = join(root, 'dist');
  if (clean) rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  const current = new Set();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    current.add(name);
    // Same name, same content: written already (by an earlier or a concurrent build).
    if (!existsSync(file.path)) writeAtomically(file.path, file.contents);
  }
  const [entryPath] = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint === 'src/cli/main.ts',
  );
  const entry = basename(entryPath);
  const meta = entry.replace(/\.js$/, '.meta.json');
  current.add(meta);
  if (!existsSync(join(distDir, meta))) writeAtomically(join(distDir, meta), JSON.stringify(result.metafile));
  const stamp = { fingerprint, entry, meta, esbuild: esbuild.version };
  writeAtomically(join(distDir, stampName), JSON.stringify(stamp));
  removeOldFiles(distDir, current);
  return stamp;
}

/** Builds unless dist/ already holds a build of the current sources. */
export async function buildIfStale({ root = defaultRoot } = {}) {
  const choice = chooseEntry({
    dev: false,
    stamp: readStamp(join(root, 'dist')),
    fingerprint: sourceFingerprint(root),
  });
  return choice.run === 'build' ? readStamp(join(root, 'dist')) : build({ root });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const fresh =
    process.argv.includes('--if-stale') &&
    chooseEntry({
      dev: false,
      stamp: readStamp(join(defaultRoot, 'dist')),
      fingerprint: sourceFingerprint(defaultRoot),
    }).run === 'build';
  if (fresh) {
    console.error('kairos: dist/ is up to date');
  } else {
    const stamp = await build({ clean: process.argv.includes('--clean') });
    console.error(`kairos: built dist/${stamp.entry} in ${Math.round(performance.now() - started)} ms`);
  }
}
