import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../chaos/free-port.ts';
import { handOver, unprivileged } from '../../chaos/unprivileged.ts';
import { waitFor } from './wait-for.ts';

/** Debian's PgBouncer binary (`apt-get install pgbouncer`). */
export const pgbouncerBin = '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** `postgres://…` through the pooler. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export { freePort } from '../../chaos/free-port.ts';

/**
 * Starts PgBouncer in transaction pooling mode on a free port in front of `target` (a
 * `postgres://` URL with trust authentication), and resolves once it accepts connections.
 */
export async function startPgBouncer(target: string): Promise<PgBouncer> {
  const upstream = new URL(target);
  const dir = mkdtempSync(join(tmpdir(), 'kairos-pgbouncer-'));
  const port = await freePort();
  const database = upstream.pathname.slice(1) || 'postgres';
  const user = decodeURIComponent(upstream.username || 'postgres');
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${database} = host=${upstream.hostname} port=${upstream.port || 5432} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 200',
      'default_pool_size = 10',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  handOver(dir);
  const child: ChildProcess = spawn(pgbouncerBin, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...unprivileged() });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      }),
    { timeoutMs: 20_000, message: 'pgbouncer to accept connections' },
  );
  return {
    url: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`,
    port,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
