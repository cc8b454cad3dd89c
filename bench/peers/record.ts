/**
 * What every handler in bench:peers does, in every peer's worker process and in Kairos's
 * `module` assistant: append one line (key, nominal time, handler start) to the file named by
 * BENCH_PEERS_RECORD, so that the benchmark reads the same measurement from every peer.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

let stream: WriteStream | undefined;

/** Records that the handler for `key` (a schedule or job) due at `nominalMs` started now. */
export function record(key: string, nominalMs: number): void {
  const started = Date.now();
  stream ??= createWriteStream(process.env.BENCH_PEERS_RECORD!, { flags: 'a' });
  stream.write(`${key}\t${nominalMs}\t${started}\n`);
}

/** Flushes the file (a worker calls it before it exits). */
export function closeRecord(): Promise<void> {
  return new Promise((resolve) => (stream ? stream.end(resolve) : resolve()));
}
