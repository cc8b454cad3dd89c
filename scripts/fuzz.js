#!/usr/bin/env node
// `npm run fuzz [-- <test files>]`: the fuzz properties of test/fuzz with a larger count
// (FUZZ_RUNS, default 2000) and a random seed (FUZZ_SEED), printed first so that a failure
// can be replayed: `FUZZ_SEED=<seed> npm run fuzz -- test/fuzz/<file>.test.ts`.
import { spawnSync } from 'node:child_process';

const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = process.env.FUZZ_RUNS ?? '2000';
const files = process.argv.slice(2);
console.log(
  `fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} — replay with FUZZ_SEED=${seed} npm run fuzz${files.length > 0 ? ` -- ${files.join(' ')}` : ''}`,
);
const result = spawnSync('npx', ['vitest', 'run', ...(files.length > 0 ? files : ['test/fuzz'])], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
console.log(`fuzz: seed ${seed}, ${runs} cases per property: ${result.status === 0 ? 'passed' : 'FAILED'}`);
process.exit(result.status ?? 1);
