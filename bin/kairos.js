#!/usr/bin/env node
// Entry point. Runs the compiled JavaScript in dist/ when it is a build of the current sources;
// builds it first when it is missing or stale (scripts/build.js, esbuild),
// so an edited source is never run from an old build. KAIROS_DEV=1 runs the TypeScript sources
// through tsx instead. See docs/development.md.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry, readStamp, sourceFingerprint } from '../scripts/build-freshness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');

async function fromSources() {
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}

const fromBuild = (entry) => import(pathToFileURL(join(distDir, entry)).href);

async function load() {
  const choice = chooseEntry({
    dev: process.env.KAIROS_DEV === '1',
    stamp: readStamp(distDir),
    fingerprint: sourceFingerprint(root),
  });
  if (choice.run === 'sources') return fromSources();
  if (choice.run === 'build') return fromBuild(choice.entry);
  let stamp;
  try {
    const { build } = await import('../scripts/build.js');
    stamp = await build({ root });
  } catch (error) {
    // A read-only install or a missing esbuild: still correct, only slower.
    process.stderr.write(
      `kairos: could not build dist/ (${String(error?.message ?? error).split('\n')[0]}); running the sources through tsx\n`,
    );
    return fromSources();
  }
  return fromBuild(stamp.entry);
}

const { main } = await load();
await main();
