import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds src/ui/dist if it is missing or stale (what `npm start` does), so the tests serve the current UI. */
export async function buildDashboard(): Promise<void> {
  const result = spawnSync(process.execPath, ['scripts/build-ui-if-stale.js'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KAIROS_UI_BUILD_STRICT: '1' },
  });
  if (result.status !== 0) throw new Error(`building the dashboard failed:\n${result.stdout}\n${result.stderr}`);
}
