import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, where package.json, src/ and dist/ sit. This file is one level
 * below it both as src/package-root.ts and inside the compiled build (dist/*.js is flat), so
 * files the code reads at run time (migrations, the dashboard, package.json) are found from here
 * whichever of the two runs.
 */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));
