// Start-up time of the `kairos` command and of the server: `npm run bench:startup [-- --runs 7]`.
// Each command runs as a user runs it (`node bin/kairos.js …`, `npm start`), several times; wall
// time is the median. CPU and max RSS come from separate runs with a preload that records the
// process's own resourceUsage() at exit (the servers: from /proc at the moment /healthz answers).
// `node -e 0` is the floor: what Node itself costs here. Prints a table and one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'kairos.js');
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 7;
const SERVER_RUNS = Math.max(3, Math.ceil(RUNS / 2));
const DEV_RUNS = process.argv.includes('--no-dev') ? 0 : 3;
const CLOCK_TICK_MS = 10; // Linux USER_HZ = 100

const work = mkdtempSync(join(tmpdir(), 'kairos-bench-startup-'));
const usageFile = join(work, 'usage.json');
const preload = join(work, 'usage.mjs');
writeFileSync(
  preload,
  `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify(process.resourceUsage())));\n`,
);

interface Figures {
  name: string;
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  runs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A clean environment: no database URL, no dev switch, unless asked. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  if (!('KAIROS_DEV' in extra)) delete env.KAIROS_DEV;
  return env;
}

function runOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: work });
  const wall = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return wall;
}

/** Median wall time of clean runs; CPU and RSS from as many runs with the usage preload. */
function measureCommand(name: string, args: string[], runs = RUNS, extraEnv: Record<string, string> = {}): Figures {
  const env = environment(extraEnv);
  runOnce(args, env); // warm-up: file cache, and the build if it was stale
  const walls: number[] = [];
  const cpus: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) walls.push(runOnce(args, env));
  for (let i = 0; i < runs; i++) {
    runOnce(['--import', preload, ...args], env);
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as NodeJS.ResourceUsage;
    cpus.push((usage.userCPUTime + usage.systemCPUTime) / 1000);
    rss.push(usage.maxRSS / 1024);
  }
  return { name, wallMs: median(walls), cpuMs: median(cpus), rssMb: median(rss), runs };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** CPU ms and max RSS MB of a live process, from /proc (undefined elsewhere). */
function procUsage(pid: number): { cpuMs: number; rssMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuMs, rssMb: Number(hwm?.[1] ?? 0) / 1024 };
  } catch {
    return undefined;
  }
}

/** Spawns a server on a fresh data dir and a free port; resolves when /healthz answers 200. */
async function serveOnce(command: string, args: string[]): Promise<{ wallMs: number; cpuMs: number; rssMb: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(work, 'data-'));
  const env = environment({
    PORT: String(port),
    HOST: '127.0.0.1',
    KAIROS_DATA_DIR: dataDir,
    KAIROS_LOG_LEVEL: 'warn',
  });
  const started = performance.now();
  const child = spawn(command, args, { env, cwd: root, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  try {
    while (!(await healthy(`http://127.0.0.1:${port}/healthz`))) {
      if (exitedEarly) throw new Error(`${command} ${args.join(' ')} exited before /healthz answered:\n${stderr}`);
      if (performance.now() - started > 600_000) throw new Error(`no healthy /healthz in 600 s:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const wallMs = performance.now() - started;
    const usage = command === process.execPath ? procUsage(child.pid!) : undefined;
    return { wallMs, cpuMs: usage?.cpuMs ?? NaN, rssMb: usage?.rssMb ?? NaN };
  } finally {
    // The whole process group (npm → sh → node), by its id.
    if (!exitedEarly) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureServer(name: string, command: string, args: string[]): Promise<Figures> {
  await serveOnce(command, args); // warm-up
  const runs = [];
  for (let i = 0; i < SERVER_RUNS; i++) runs.push(await serveOnce(command, args));
  return {
    name,
    wallMs: median(runs.map((run) => run.wallMs)),
    cpuMs: median(runs.map((run) => run.cpuMs)),
    rssMb: median(runs.map((run) => run.rssMb)),
    runs: SERVER_RUNS,
  };
}

const loadBefore = loadavg();
// The dashboard is built first, as `npm start` does: the figures are "once built".
spawnSync(process.execPath, [join(root, 'scripts', 'build-ui-if-stale.js')], { cwd: root, stdio: 'inherit' });

const targets: Record<string, number> = {
  'kairos --help': 100,
  "kairos cron next '0 9 * * 1-5' --tz America/New_York": 150,
  'npm start → healthy /healthz (PGlite, fresh dir)': 2000,
};
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const width = 56;
const results: Figures[] = [];
/** Printed as soon as measured: a long run still shows what it has. */
function report(result: Figures): void {
  results.push(result);
  const floor = results[0]!.wallMs;
  const target = targets[result.name];
  const verdict = target === undefined ? '' : `≤ ${target} ms ${result.wallMs <= target ? 'met' : 'MISSED'}`;
  console.log(
    `${result.name.padEnd(width)}  ${String(result.runs).padStart(4)}  ${fixed(result.wallMs).padStart(16)}  ${fixed(result.wallMs / floor, 1).padStart(11)}  ${fixed(result.cpuMs).padStart(6)}  ${fixed(result.rssMb).padStart(10)}  ${verdict}`,
  );
}

console.log(`load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}`);
console.log(`${'command'.padEnd(width)}  runs  wall ms (median)  × node -e 0  CPU ms  max RSS MB  target`);
const cron = ['cron', 'next', '0 9 * * 1-5', '--tz', 'America/New_York'];
report(measureCommand('node -e 0 (floor)', ['-e', '0']));
report(measureCommand('kairos --help', [bin, '--help']));
report(measureCommand("kairos cron next '0 9 * * 1-5' --tz America/New_York", [bin, ...cron]));
if (DEV_RUNS > 0)
  report(measureCommand('  the same through tsx (KAIROS_DEV=1)', [bin, ...cron], DEV_RUNS, { KAIROS_DEV: '1' }));
report(await measureServer('kairos serve → healthy /healthz (PGlite, fresh dir)', process.execPath, [bin, 'serve']));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
report(await measureServer('npm start → healthy /healthz (PGlite, fresh dir)', npm, ['start', '--silent']));
const loadAfter = loadavg();
rmSync(work, { recursive: true, force: true });
console.log(`load average after ${loadAfter.map((n) => n.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ loadBefore, loadAfter, results }));
