// Start-up time of the `kairos` command and of the server: `npm run bench:startup [-- --runs 7] [--server-only]`.
// Each command runs as a user runs it (`node bin/kairos.js …`, `npm start`), several times; wall
// time is the median. CPU and max RSS come from separate runs with a preload that records the
// process's own resourceUsage() at exit (the servers: from /proc at the moment /healthz answers).
// Servers start on fresh data directories, then restart on one existing directory; "idle RSS" is
// the server's RSS 5 s after it answered. Then where the time goes: the server's own split (its
// "listening" log line) and PGlite's steps one by one. `node -e 0` is the floor: what Node itself
// costs here. Prints the load average, a table and one JSON line. `--server-only`: `npm start` only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'kairos.js');
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 7;
const SERVER_RUNS = Math.max(3, Math.ceil(RUNS / 2));
const DEV_RUNS = process.argv.includes('--no-dev') ? 0 : 3;
const CLOCK_TICK_MS = 10; // Linux USER_HZ = 100
const IDLE_MS = 5000;

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
  /** Servers: RSS after IDLE_MS of idling once healthy. */
  idleRssMb?: number;
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

interface ServerRun {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  idleRssMb: number;
  startup?: Record<string, number>;
}

/**
 * Spawns a server on `dataDir` (a new one when omitted) and a free port; resolves when /healthz
 * answers 200, with the RSS after IDLE_MS more of idling and the server's own start-up breakdown
 * (the `startup_ms` of its "listening" log line).
 */
async function serveOnce(command: string, args: string[], dataDir?: string): Promise<ServerRun> {
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(join(work, 'data-'));
  const env = environment({
    PORT: String(port),
    HOST: '127.0.0.1',
    KAIROS_DATA_DIR: dir,
    KAIROS_LOG_LEVEL: 'info',
  });
  const started = performance.now();
  const child = spawn(command, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
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
    const pid = command === process.execPath ? child.pid! : serverPid(child.pid!);
    const usage = pid === undefined ? undefined : procUsage(pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idle = pid === undefined ? undefined : currentRssMb(pid);
    const line = stdout.split('\n').find((text) => text.includes('"startup_ms"'));
    const startup = line ? (JSON.parse(line) as { startup_ms: Record<string, number> }).startup_ms : undefined;
    return { wallMs, cpuMs: usage?.cpuMs ?? NaN, rssMb: usage?.rssMb ?? NaN, idleRssMb: idle ?? NaN, startup };
  } finally {
    // The whole process group (npm → sh → node), by its id.
    if (!exitedEarly) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** RSS now (not the peak), MB. */
function currentRssMb(pid: number): number | undefined {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(rss?.[1] ?? 0) / 1024;
  } catch {
    return undefined;
  }
}

/** The node process serving under `npm start` (npm → sh → node): the group's process running kairos.js. */
function serverPid(groupId: number): number | undefined {
  const result = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  for (const line of result.stdout?.split('\n') ?? []) {
    const [pid, pgid, ...args] = line.trim().split(/\s+/);
    // The node process itself, not the `sh -c` npm runs it through.
    if (Number(pgid) === groupId && /(^|\/)node$/.test(args[0] ?? '') && /bin\/kairos\.js serve/.test(args.join(' ')))
      return Number(pid);
  }
  return undefined;
}

const breakdowns: Record<string, Record<string, number>> = {};

function summarise(name: string, runs: ServerRun[]): Figures {
  const startups = runs.map((run) => run.startup).filter((value): value is Record<string, number> => !!value);
  if (startups.length > 0)
    breakdowns[name] = Object.fromEntries(
      Object.keys(startups[0]!).map((key) => [key, median(startups.map((startup) => startup[key] ?? NaN))]),
    );
  return {
    name,
    wallMs: median(runs.map((run) => run.wallMs)),
    cpuMs: median(runs.map((run) => run.cpuMs)),
    rssMb: median(runs.map((run) => run.rssMb)),
    idleRssMb: median(runs.map((run) => run.idleRssMb)),
    runs: runs.length,
  };
}

/** Fresh data directories (after a warm-up that builds the template once), then restarts of one directory. */
async function measureServer(label: string, command: string, args: string[]): Promise<[Figures, Figures]> {
  await serveOnce(command, args); // warm-up: the build, the data directory template
  const fresh: ServerRun[] = [];
  for (let i = 0; i < SERVER_RUNS; i++) fresh.push(await serveOnce(command, args));
  const dataDir = mkdtempSync(join(work, 'existing-'));
  await serveOnce(command, args, dataDir);
  const existing: ServerRun[] = [];
  for (let i = 0; i < SERVER_RUNS; i++) existing.push(await serveOnce(command, args, dataDir));
  rmSync(dataDir, { recursive: true, force: true });
  return [summarise(`${label} (PGlite, fresh dir)`, fresh), summarise(`${label} (PGlite, existing dir)`, existing)];
}

const loadBefore = loadavg();
// The dashboard is built first, as `npm start` does: the figures are "once built".
spawnSync(process.execPath, [join(root, 'scripts', 'build-ui-if-stale.js')], { cwd: root, stdio: 'inherit' });

const targets: Record<string, { ms?: number; idleRssMb?: number }> = {
  'kairos --help': { ms: 100 },
  "kairos cron next '0 9 * * 1-5' --tz America/New_York": { ms: 150 },
  'npm start → healthy /healthz (PGlite, fresh dir)': { ms: 5000, idleRssMb: 200 },
  'npm start → healthy /healthz (PGlite, existing dir)': { ms: 2000, idleRssMb: 200 },
};
const fixed = (value: number | undefined, digits = 0) =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '-';
const width = 56;
const results: Figures[] = [];
/** Printed as soon as measured: a long run still shows what it has. */
function report(result: Figures): void {
  results.push(result);
  const floor = results[0]!.wallMs;
  const target = targets[result.name];
  const verdicts = [
    target?.ms !== undefined && `≤ ${target.ms} ms ${result.wallMs <= target.ms ? 'met' : 'MISSED'}`,
    target?.idleRssMb !== undefined &&
      `idle ≤ ${target.idleRssMb} MB ${(result.idleRssMb ?? Infinity) <= target.idleRssMb ? 'met' : 'MISSED'}`,
  ].filter(Boolean);
  console.log(
    `${result.name.padEnd(width)}  ${String(result.runs).padStart(4)}  ${fixed(result.wallMs).padStart(16)}  ${fixed(result.wallMs / floor, 1).padStart(11)}  ${fixed(result.cpuMs).padStart(6)}  ${fixed(result.rssMb).padStart(10)}  ${fixed(result.idleRssMb).padStart(11)}  ${verdicts.join(', ')}`,
  );
}

/**
 * Where an embedded start's time goes, in this process: PGlite's parts measured one by one (the
 * server's own split, modules / database and services / listen, is printed after the table).
 */
async function pgliteBreakdown(): Promise<Record<string, number>> {
  const steps: Record<string, number> = {};
  const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      steps[step] = Math.round(performance.now() - started);
    }
  };
  const { openPglite } = await time('import PGlite and the store', () => import('../src/store/pglite-driver.ts'));
  const { seedFromTemplate } = await import('../src/store/pglite-template.ts');
  const { migrate } = await import('../src/store/migrate.ts');
  const schema = 'kairos';
  // Without the template: PGlite's initdb (a second WebAssembly Postgres), then every migration.
  const bare = await time('fresh without template: initdb', () => openPglite({ dataDir: join(work, 'bare'), schema }));
  await time('fresh without template: 30-odd migrations', () => migrate(bare));
  await bare.close();
  const dataDir = join(work, 'seeded');
  await time('fresh: copy the template (built once before)', () => seedFromTemplate(dataDir, schema));
  for (const label of ['fresh', 'existing']) {
    const db = await time(`${label}: start PGlite (WebAssembly compile, Postgres start)`, () =>
      openPglite({ dataDir, schema }),
    );
    await time(`${label}: migrations check (up to date)`, () => migrate(db));
    await db.close();
  }
  return steps;
}

const serverOnly = process.argv.includes('--server-only');
console.log(`load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')} (${cpus().length} cores)`);
console.log(`${'command'.padEnd(width)}  runs  wall ms (median)  × node -e 0  CPU ms  max RSS MB  idle RSS MB  target`);
const cron = ['cron', 'next', '0 9 * * 1-5', '--tz', 'America/New_York'];
report(measureCommand('node -e 0 (floor)', ['-e', '0']));
if (!serverOnly) {
  report(measureCommand('kairos --help', [bin, '--help']));
  report(measureCommand("kairos cron next '0 9 * * 1-5' --tz America/New_York", [bin, ...cron]));
  if (DEV_RUNS > 0)
    report(measureCommand('  the same through tsx (KAIROS_DEV=1)', [bin, ...cron], DEV_RUNS, { KAIROS_DEV: '1' }));
  for (const figures of await measureServer('kairos serve → healthy /healthz', process.execPath, [bin, 'serve']))
    report(figures);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
for (const figures of await measureServer('npm start → healthy /healthz', npm, ['start', '--silent'])) report(figures);
console.log('\nthe server\'s start-up split (median ms, from its "listening" log line):');
for (const [name, split] of Object.entries(breakdowns))
  console.log(
    `  ${name}: ${Object.entries(split)
      .map(([step, ms]) => `${step} ${fixed(ms)}`)
      .join(', ')}`,
  );
console.log('\nPGlite, step by step in one process (ms):');
const pglite = await pgliteBreakdown();
for (const [step, ms] of Object.entries(pglite)) console.log(`  ${step.padEnd(62)} ${String(ms).padStart(6)}`);
const loadAfter = loadavg();
rmSync(work, { recursive: true, force: true });
console.log(`load average after ${loadAfter.map((n) => n.toFixed(2)).join(' ')}`);
console.log(JSON.stringify({ loadBefore, loadAfter, results, breakdowns, pglite }));
