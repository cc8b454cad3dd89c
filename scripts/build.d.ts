// Types of build.js, for the tests and the test set-up that import it.
import type { BuildStamp } from './build-freshness.js';

export declare function build(options?: { root?: string; clean?: boolean }): Promise<BuildStamp>;
export declare function buildIfStale(options?: { root?: string }): Promise<BuildStamp>;
