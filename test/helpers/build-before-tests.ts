import { buildIfStale } from '../../scripts/build.js';

/**
 * Vitest global set-up: brings dist/ up to date once, before any test file runs, so that the
 * many tests that spawn bin/kairos.js find a fresh build instead of each building it at once.
 * bin/kairos.js checks freshness on every start anyway: an edit during the run rebuilds.
 */
export default async function setup(): Promise<void> {
  await buildIfStale();
}
