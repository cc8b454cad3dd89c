#!/usr/bin/env node
// Builds the dashboard (npm run build:ui) only when src/ui/dist is missing or older than a source
// file in src/ui; otherwise exits at once. Run by `npm start` (prestart).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = join(root, 'src', 'ui');
const builtIndex = join(uiDir, 'dist', 'index.html');

/** The newest modification time of the UI sources (dist excluded) and the build config. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(builtIndex).mtimeMs;
  } catch {
    return 0;
  }
}

const built = builtAt();
const newest = Math.max(
  newestSource(uiDir),
  statSync(join(root, 'package-lock.json'), { throwIfNoEntry: false })?.mtimeMs ?? 0,
);
if (built > 0 && built >= newest) process.exit(0);

console.error(built === 0 ? 'dashboard: not built yet, building…' : 'dashboard: sources changed, rebuilding…');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', '--silent', 'build:ui'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  // Tests ask for a failing exit; `npm start` goes on without a dashboard.
  if (process.env.KAIROS_UI_BUILD_STRICT === '1') process.exit(result.status ?? 1);
  console.error('dashboard: build failed; the API still starts, but / shows a "not built" page.');
  // Do not block the server on a UI build failure.
  process.exit(0);
}
