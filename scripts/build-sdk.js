#!/usr/bin/env node
// Builds the SDK for other projects (`import { KairosClient } from 'kairos/sdk'`, package.json
// `exports`): dist-sdk/index.js, one ESM bundle of src/sdk with no dependency of its own, and
// dist-sdk/types/**.d.ts from tsc, their relative `.ts` imports rewritten to `.js`. Run by
// `npm pack`/`npm publish` (prepack) and `npm run build:sdk`.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-sdk');
const require = createRequire(join(root, 'package.json'));
const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild');

rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [join(root, 'src/sdk/index.ts')],
  outfile: join(out, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  logLevel: 'warning',
});
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.sdk.json')], {
  stdio: 'inherit',
});

/** `from './client.ts'` → `from './client.js'` in every declaration file. */
function rewrite(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewrite(path);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2'));
    }
  }
}
rewrite(join(out, 'types'));
process.stdout.write(`kairos: built the SDK in ${out}\n`);
