// Types of build-freshness.js, for the tests that import it.
export declare const stampName: string;

export interface BuildStamp {
  fingerprint: string;
  /** The compiled entry, a file name in dist/: `main-<hash>.js`. */
  entry: string;
  /** esbuild's metafile of that build, a file name in dist/. */
  meta: string;
  esbuild: string;
}

export type EntryChoice =
  { run: 'build'; entry: string } | { run: 'rebuild'; reason: string } | { run: 'sources'; reason: string };

export declare function sourceFingerprint(root: string): string;
export declare function readStamp(distDir: string): BuildStamp | undefined;
export declare function chooseEntry(state: {
  dev: boolean;
  stamp: BuildStamp | undefined;
  fingerprint: string;
}): EntryChoice;
