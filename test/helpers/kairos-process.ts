import { spawn, type ChildProcess } from 'node:child_process';
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
 * Rejects with its output if it exits first.
 */
export async function startKairosProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<KairosProcess> {
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
    const timer = setTimeout(() => reject(new Error(`kairos serve did not listen in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
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
