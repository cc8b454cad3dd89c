import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

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
export async function startKairosProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<KairosProcess> {
  const child = spawn(process.execPath, [kairosBin, 'serve'], {
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
