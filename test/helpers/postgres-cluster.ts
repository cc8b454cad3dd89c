import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pgbouncer.ts';
import { handOver, unprivileged } from './unprivileged.ts';

const bin = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp dir, a free port), so that a test
 * can stop and restart the server without disturbing the machine's server or other suites.
 */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  start(): void;
  /** Fast shutdown: connections are terminated, as in a real restart. */
  stop(): void;
  /** Stops the server and removes its files. */
  destroy(): void;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(join(bin, command), args, { encoding: 'utf8', ...unprivileged() });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const root = mkdtempSync(join(tmpdir(), 'kairos-pg-'));
  chmodSync(root, 0o755);
  handOver(root);
  const data = join(root, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']),
    destroy() {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
