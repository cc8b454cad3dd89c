import type { Parameters, RunDetails } from 'fast-check';

/**
 * The seed and size of a fuzz run. CI runs a fixed seed and a modest count; `npm run fuzz` sets
 * FUZZ_SEED (random, printed) and FUZZ_RUNS (default 2000), so that a failure replays with
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run <file>` (both printed with the failure).
 */
export const fuzzSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261202;

/** `ciRuns` in CI, FUZZ_RUNS under `npm run fuzz`. */
export function fuzzRuns(ciRuns: number): number {
  return process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : ciRuns;
}

const shorten = (text: string) => (text.length > 1500 ? `${text.slice(0, 1500)}… (${text.length} characters)` : text);

/** Fails with the replay command and a counterexample cut to a readable length (some are 60 KB of brackets). */
function report<T>(details: RunDetails<T>): void {
  if (!details.failed) return;
  const example = shorten(JSON.stringify(details.counterexample));
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `fuzz property failed after ${details.numRuns} cases; replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath}\n` +
      `counterexample: ${example}\n${shorten(cause)}`,
  );
}

/** fast-check parameters for a property: the seed, the count, no shrinking (each step is an API call), a short report. */
export function fuzzParameters<T>(ciRuns: number): Parameters<T> {
  return {
    seed: fuzzSeed,
    numRuns: fuzzRuns(ciRuns),
    endOnFailure: true,
    reporter: report,
    ...(process.env.FUZZ_PATH && { path: process.env.FUZZ_PATH }),
  };
}

/** A large run (`npm run fuzz`) is allowed more time than CI's. */
export const fuzzTimeoutMs = process.env.FUZZ_RUNS ? 3_600_000 : 120_000;
