import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const kairosBin = fileURLToPath(new URL('../bin/kairos.js', import.meta.url));
/** Debian's libfaketime (package `faketime`): preloaded, it shifts the host clock of one process. */
export const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** What the chaos run keeps of a replica's JSON log: counts and the lines that matter, not everything. */
export interface ReplicaLog {
  /** Fenced writes refused (a heartbeat, finish or retry that found the lease gone). */
  fenced: number;
  unreachable: number;
  reachable: number;
  /** Lines at error level or above (level ≥ 50), at most 50 kept. */
  errors: Array<Record<string, unknown>>;
}

/**
 * One `kairos serve` process of the chaos run (roles scheduler, worker and api), restartable
 * with the same environment, optionally with its host clock shifted (`skewSeconds`, libfaketime).
 */
export class Replica {
  child: ChildProcess | undefined;
  url = '';
  /** Set while SIGSTOPped. */
  stopped = false;
  skewSeconds = 0;
  readonly log: ReplicaLog = { fenced: 0, unreachable: 0, reachable: 0, errors: [] };
  private exited: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once it listens (it migrated and started its roles). */
  async start(timeoutMs = 180_000): Promise<void> {
    const skew =
      this.skewSeconds !== 0
        ? {
            LD_PRELOAD: libfaketime,
            FAKETIME: `${this.skewSeconds > 0 ? '+' : ''}${this.skewSeconds}s`,
            FAKETIME_DONT_FAKE_MONOTONIC: '1',
          }
        : {};
    const child = spawn(process.execPath, [kairosBin, 'serve'], {
      env: { ...process.env, PORT: '0', KAIROS_LOG_LEVEL: 'info', KAIROS_DEMO: 'false', ...this.env, ...skew },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stopped = false;
    this.exited = once(child, 'exit');
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let buffered = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${this.name} did not listen in ${timeoutMs} ms:\n${stderr}`));
      }, timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let entry: Record<string, unknown>;
          try {
            entry = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          this.record(entry);
          if (typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before listening:\n${stderr}`));
      });
    });
  }

  private record(entry: Record<string, unknown>): void {
    const msg = String(entry.msg ?? '');
    if (typeof entry.fenced === 'string') this.log.fenced++;
    if (/database is unreachable/.test(msg)) this.log.unreachable++;
    if (/database is reachable again/.test(msg)) this.log.reachable++;
    if (Number(entry.level) >= 50 && this.log.errors.length < 50) this.log.errors.push(entry);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child!.kill(signal);
    if (signal === 'SIGSTOP') this.stopped = true;
    if (signal === 'SIGCONT') this.stopped = false;
  }

  /** SIGKILL, resolved once it exited. */
  async kill(): Promise<void> {
    if (this.stopped) this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Graceful stop (SIGTERM: it hands its runs back), resolved once it exited. */
  async terminate(): Promise<void> {
    if (this.stopped) this.signal('SIGCONT');
    this.signal('SIGTERM');
    await this.exited;
  }
}
