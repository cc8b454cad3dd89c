import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { quoteIdent } from '../../src/store/database.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { sqlReaderRole } from '../../src/store/sql-reader-role.ts';
import { testDatabaseUrl, uniqueSchema } from './databases.ts';

export const kairosBin = fileURLToPath(new URL('../../bin/kairos.js', import.meta.url));

export interface KairosProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line printed so far. */
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `kairos serve` as a subprocess on a free port and resolves once it listens.
 * Rejects with its output if it exits first. The default wait is long on purpose: on a loaded
 * 2-core machine, compiling the sources and PGlite's WebAssembly and migrating took over 30 s.
 */
export async function startKairosProcess(
  env: Record<string, string>,
  timeoutMs = 90_000,
  /** Another build's bin/kairos.js (the rolling-upgrade test runs the previous release beside this one). */
  bin = kairosBin,
): Promise<KairosProcess> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, PORT: '0', KAIROS_LOG_LEVEL: 'info', KAIROS_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Captured at once: a process killed by a signal keeps exitCode null, so it cannot be polled.
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave it behind: an orphaned server keeps firing and loads the machine for every later test.
      child.kill('SIGKILL');
      reject(new Error(`kairos serve did not listen in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kairos serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    child,
    url,
    logs,
    stderr: () => stderr,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a CLI test runs with: the caller's, less any server or key it might pick up. */
function commandEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  delete clean.KAIROS_URL;
  delete clean.KAIROS_API_KEY;
  return { ...clean, ...env };
}

/** Runs `kairos <args>` to completion, blocking (fine when no server lives in this process). */
export function runKairosSync(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [kairosBin, ...args], { env: commandEnv(env), encoding: 'utf8' });
}

/** Runs `kairos <args>` to completion without blocking the event loop. */
export function runKairos(args: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [kairosBin, ...args], { env: commandEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A `kairos serve` subprocess on its own schema with an admin key, for CLI tests. */
export interface CliServer {
  server: KairosProcess;
  /** The database only (for commands that work on it directly, and for `keys create`). */
  dbEnv: Record<string, string>;
  /** `dbEnv` with KAIROS_URL and the admin's KAIROS_API_KEY: commands against the server. */
  env: Record<string, string>;
  admin: { key: string; userId: string };
  /** The http assistant created for the test, when asked for one. */
  assistantId: string;
  /** Stops the server and drops the schema. */
  close(): Promise<void>;
}

export interface CliServerOptions {
  /** Added to the database environment (e.g. `PORT: '9'`, so that no local server is picked up). */
  dbEnv?: Record<string, string>;
  /** Added to the server's environment; KAIROS_ROLES is `api` unless given (`''`: the default roles). */
  serverEnv?: Record<string, string>;
  /** An http assistant of the admin's to create before the server starts. */
  assistant?: { name: string; graphId?: string };
}

/**
 * For CLI tests: creates an admin key with `kairos keys create` on a fresh schema, optionally an
 * http assistant, then starts `kairos serve` (api role) on it. `close()` stops it and drops the schema.
 *
 * @example
 * const cli = await startCliServer('clires', { assistant: { name: 'Reporter' } });
 * await runKairos(['schedules', 'list'], cli.env);
 * await cli.close();
 */
export async function startCliServer(prefix: string, options: CliServerOptions = {}): Promise<CliServer> {
  const schema = uniqueSchema(prefix);
  const dbEnv = { DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema, ...options.dbEnv };
  const drop = async () => {
    const db = openPostgres({ connectionString: testDatabaseUrl, schema: 'public' });
    await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    // Roles are cluster-wide: the SQL console's reader role of this schema goes with it.
    await db.exec(`DROP ROLE IF EXISTS ${quoteIdent(sqlReaderRole(schema))}`).catch(() => {});
    await db.close();
  };
  const created = runKairosSync(['keys', 'create', '--role', 'admin', '--json'], dbEnv);
  if (created.status !== 0) {
    await drop();
    throw new Error(`kairos keys create failed (${created.status}): ${created.stderr}`);
  }
  const key = JSON.parse(created.stdout) as { key: string; user: { id: string } };
  let assistantId = '';
  if (options.assistant) {
    const db = openPostgres({ connectionString: testDatabaseUrl, schema });
    const { rows } = await db.query<{ id: string }>(
      'INSERT INTO assistants (owner_id, name, kind, config, graph_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [
        key.user.id,
        options.assistant.name,
        'http',
        JSON.stringify({ url: 'https://agents.example/run' }),
        options.assistant.graphId ?? null,
      ],
    );
    await db.close();
    assistantId = rows[0]!.id;
  }
  const serverEnv: Record<string, string> = {
    DATABASE_URL: testDatabaseUrl,
    KAIROS_DB_SCHEMA: schema,
    KAIROS_ROLES: 'api',
    ...options.serverEnv,
  };
  if (serverEnv.KAIROS_ROLES === '') delete serverEnv.KAIROS_ROLES;
  const server = await startKairosProcess(serverEnv).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  return {
    server,
    dbEnv,
    env: { ...dbEnv, KAIROS_URL: server.url, KAIROS_API_KEY: key.key },
    admin: { key: key.key, userId: key.user.id },
    assistantId,
    async close() {
      await server.stop();
      await drop();
    },
  };
}
