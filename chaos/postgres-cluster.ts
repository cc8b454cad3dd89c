import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { handOver, unprivileged } from './unprivileged.ts';

const bin = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the caller's own (initdb into a temp dir, a free port), so that a test or
 * `npm run chaos` can stop and restart the server without disturbing the machine's server or
 * other suites. Runs as the `postgres` user when the caller is root (initdb refuses root).
 */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  /** The data directory (a standby is built from it with `pg_basebackup`). */
  dataDir: string;
  start(): void;
  /** Fast shutdown: connections are terminated, as in a real restart. */
  stop(): void;
  /** Fast shutdown then start, without blocking the event loop (a script's agent keeps answering). */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  destroy(): void;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(join(bin, command), args, { encoding: 'utf8', ...unprivileged() });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

function runAsync(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, command), args, { stdio: ['ignore', 'pipe', 'pipe'], ...unprivileged() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) =>
      status === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed: ${output}`)),
    );
  });
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const root = mkdtempSync(join(tmpdir(), 'kairos-pg-'));
  chmodSync(root, 0o755);
  handOver(root);
  const data = join(root, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const cluster = clusterIn(root, port);
  cluster.start();
  return cluster;
}

/** A streaming standby of a running primary (`pg_basebackup -R`), started on its own port; `promote()` makes it a primary. */
export interface PostgresStandby extends PostgresCluster {
  /** `pg_ctl promote`: ends recovery; the server accepts writes from then on. */
  promote(): void;
}

export async function createStandby(primary: PostgresCluster): Promise<PostgresStandby> {
  const root = mkdtempSync(join(tmpdir(), 'kairos-pg-standby-'));
  chmodSync(root, 0o755);
  handOver(root);
  const data = join(root, 'data');
  const port = await freePort();
  run('pg_basebackup', [
    '-D',
    data,
    '-R',
    '-X',
    'stream',
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
  ]);
  const standby = clusterIn(root, port);
  standby.start();
  return { ...standby, promote: () => run('pg_ctl', ['-D', data, '-w', '-t', '60', 'promote']) };
}

function clusterIn(root: string, port: number): PostgresCluster {
  const data = join(root, 'data');
  const startArgs = [
    '-D',
    data,
    '-l',
    join(root, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ];
  const stopArgs = ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'];
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: data,
    start: () => run('pg_ctl', startArgs),
    stop: () => run('pg_ctl', stopArgs),
    async restart() {
      await runAsync('pg_ctl', stopArgs);
      await runAsync('pg_ctl', startArgs);
    },
    destroy() {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return cluster;
}
