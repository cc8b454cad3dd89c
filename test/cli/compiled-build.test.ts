import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseEntry, readStamp, sourceFingerprint } from '../../scripts/build-freshness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    if (!('KAIROS_DEV' in env)) delete clean.KAIROS_DEV;
    execFile(process.execPath, [bin, ...args], { timeout: 110_000, env: clean }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const kairos = join(root, 'bin', 'kairos.js');
const cronArgs = [
  'cron',
  'next',
  '0 9 * * 1-5',
  '--tz',
  'America/New_York',
  '--from',
  '2026-03-06T12:00:00Z',
  '--count',
  '3',
];
const expectedCron = [
  '2026-03-06 09:00:00 EST (America/New_York)   2026-03-06T14:00:00.000Z',
  '2026-03-09 09:00:00 EDT (America/New_York)   2026-03-09T13:00:00.000Z',
  '2026-03-10 09:00:00 EDT (America/New_York)   2026-03-10T13:00:00.000Z',
  '',
].join('\n');

describe('bin/kairos.js on the compiled build', () => {
  it(
    'runs from a build of the current sources, and `cron next` prints what the sources print',
    { timeout: 120_000 },
    async () => {
      const compiled = await run(kairos, cronArgs);
      expect(compiled).toEqual({ code: 0, stdout: expectedCron, stderr: '' });
      // What the start just chose: the build, because its stamp matches the sources.
      const stamp = readStamp(join(root, 'dist'));
      expect(chooseEntry({ dev: false, stamp, fingerprint: sourceFingerprint(root) })).toEqual({
        run: 'build',
        entry: stamp!.entry,
      });
      const fromSources = await run(kairos, cronArgs, { KAIROS_DEV: '1' });
      expect(fromSources).toEqual(compiled);
    },
  );

  it('prints the same --help as the sources do', { timeout: 120_000 }, async () => {
    const compiled = await run(kairos, ['--help']);
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toMatch(/^Usage: kairos \[options\] \[command\]\n/);
    expect(compiled.stdout).toContain('  cron                      check cron expressions');
    expect(compiled.stdout).toContain('  sql [options] <query>     run one read-only SQL query');
    expect(await run(kairos, ['--help'], { KAIROS_DEV: '1' })).toEqual(compiled);
    const cronHelp = await run(kairos, ['help', 'cron']);
    expect(cronHelp.stdout).toContain('next [options] <expression...>');
  });

  it('loads neither the database drivers nor the HTTP stack for `kairos cron`', () => {
    const stamp = readStamp(join(root, 'dist'))!;
    const meta = JSON.parse(readFileSync(join(root, 'dist', stamp.meta), 'utf8')) as {
      outputs: Record<
        string,
        { entryPoint?: string; imports: Array<{ path: string; kind: string; external?: boolean }> }
      >;
    };
    const outputs = meta.outputs;
    const starts = Object.keys(outputs).filter((name) =>
      ['src/cli/main.ts', 'src/cli/cron-command.ts'].includes(outputs[name]!.entryPoint ?? ''),
    );
    expect(starts).toHaveLength(2);
    // What `kairos cron` loads: main and the cron command's chunk, with their static imports.
    const loaded = new Set<string>();
    const packages = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const imported of outputs[name]!.imports) {
        if (imported.kind !== 'import-statement') continue;
        if (imported.external) packages.add(imported.path);
        else visit(imported.path);
      }
    };
    starts.forEach(visit);
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual(['commander']);
  });
});

describe('a source edited after the build', () => {
  // A package of its own (bin/, scripts/, src/), so the test edits no file of this checkout.
  const copy = mkdtempSync(join(tmpdir(), 'kairos-build-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('is what the next start runs: the build is redone, never run stale', { timeout: 120_000 }, async () => {
    mkdirSync(join(copy, 'bin'));
    mkdirSync(join(copy, 'scripts'));
    mkdirSync(join(copy, 'src', 'cli'), { recursive: true });
    copyFileSync(kairos, join(copy, 'bin', 'kairos.js'));
    for (const name of ['build.js', 'build-freshness.js'])
      copyFileSync(join(root, 'scripts', name), join(copy, 'scripts', name));
    writeFileSync(join(copy, 'package.json'), '{ "name": "kairos-build-test", "type": "module" }\n');
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const main = join(copy, 'src', 'cli', 'main.ts');
    const source = (text: string) =>
      `export async function main(): Promise<void> {\n  process.stdout.write(${JSON.stringify(text)});\n}\n`;
    const bin = join(copy, 'bin', 'kairos.js');

    writeFileSync(main, source('first\n'));
    expect(await run(bin, [])).toEqual({ code: 0, stdout: 'first\n', stderr: '' });
    const first = readStamp(join(copy, 'dist'))!;
    expect(first.entry).toMatch(/^main-\w+\.js$/);
    expect(readFileSync(join(copy, 'dist', first.entry), 'utf8')).toContain('first');

    writeFileSync(main, source('second, after an edit\n'));
    expect(await run(bin, [])).toEqual({ code: 0, stdout: 'second, after an edit\n', stderr: '' });
    const second = readStamp(join(copy, 'dist'))!;
    expect(second.entry).not.toBe(first.entry);
    expect(second.fingerprint).toBe(sourceFingerprint(copy));

    // Through tsx, the sources as they are, and the build left alone.
    writeFileSync(main, source('third, through tsx\n'));
    expect(await run(bin, [], { KAIROS_DEV: '1' })).toEqual({ code: 0, stdout: 'third, through tsx\n', stderr: '' });
    expect(readStamp(join(copy, 'dist'))).toEqual(second);
  });
});
