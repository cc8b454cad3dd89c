import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseEntry, sourceFingerprint, type BuildStamp } from '../../scripts/build-freshness.js';

const stamp = (fingerprint: string): BuildStamp => ({
  fingerprint,
  entry: 'main-ABC.js',
  meta: 'main-ABC.meta.json',
  esbuild: '0.0.0',
});

describe('chooseEntry (which code a start runs)', () => {
  it('runs the build only when its stamp matches the sources exactly', () => {
    expect(chooseEntry({ dev: false, stamp: stamp('src/a.ts 10 1'), fingerprint: 'src/a.ts 10 1' })).toEqual({
      run: 'build',
      entry: 'main-ABC.js',
    });
  });

  it('rebuilds when there is no build yet', () => {
    expect(chooseEntry({ dev: false, stamp: undefined, fingerprint: 'src/a.ts 10 1' })).toEqual({
      run: 'rebuild',
      reason: 'not built yet',
    });
  });

  it('rebuilds when the sources differ from the build, newer or older', () => {
    for (const fingerprint of ['src/a.ts 10 2', 'src/a.ts 10 0', 'src/a.ts 11 1', 'src/a.ts 10 1\nsrc/b.ts 1 1', '']) {
      expect(chooseEntry({ dev: false, stamp: stamp('src/a.ts 10 1'), fingerprint })).toMatchObject({ run: 'rebuild' });
    }
  });

  it('runs the sources through tsx with KAIROS_DEV=1, fresh build or not', () => {
    expect(chooseEntry({ dev: true, stamp: stamp('x'), fingerprint: 'x' })).toEqual({
      run: 'sources',
      reason: 'KAIROS_DEV=1',
    });
    expect(chooseEntry({ dev: true, stamp: undefined, fingerprint: 'x' })).toMatchObject({ run: 'sources' });
  });
});

describe('sourceFingerprint', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kairos-fingerprint-'));
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    mkdirSync(join(root, 'src', 'ui', 'dist'), { recursive: true });
    mkdirSync(join(root, 'scripts'));
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'src', 'ui', 'app.tsx'), 'ui\n');
    writeFileSync(join(root, 'scripts', 'build.js'), '// build\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const main = () => join(root, 'src', 'cli', 'main.ts');
  const mtimeOf = (path: string) => statSync(path).mtime;

  it('is stable while nothing changes', () => {
    expect(sourceFingerprint(root)).toBe(sourceFingerprint(root));
    expect(sourceFingerprint(root)).toContain('src/cli/main.ts 20 ');
  });

  it('changes when a source is edited, even with its old mtime put back', () => {
    const before = sourceFingerprint(root);
    const mtime = mtimeOf(main());
    writeFileSync(main(), 'export const a = 12;\n');
    utimesSync(main(), mtime, mtime);
    expect(sourceFingerprint(root)).not.toBe(before);
  });

  it('changes when a source is only touched, or its mtime moves backwards', () => {
    const before = sourceFingerprint(root);
    utimesSync(main(), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(sourceFingerprint(root)).not.toBe(before);
  });

  it('changes when a source is added or removed, and when the build script changes', () => {
    const before = sourceFingerprint(root);
    writeFileSync(join(root, 'src', 'cli', 'other.ts'), 'export {};\n');
    const added = sourceFingerprint(root);
    expect(added).not.toBe(before);
    rmSync(join(root, 'src', 'cli', 'other.ts'));
    expect(sourceFingerprint(root)).toBe(before);
    writeFileSync(join(root, 'scripts', 'build.js'), '// build, changed\n');
    expect(sourceFingerprint(root)).not.toBe(before);
  });

  it('ignores the dashboard (src/ui), which has a build of its own', () => {
    const before = sourceFingerprint(root);
    writeFileSync(join(root, 'src', 'ui', 'app.tsx'), 'ui changed\n');
    writeFileSync(join(root, 'src', 'ui', 'dist', 'index.html'), '<html>\n');
    expect(sourceFingerprint(root)).toBe(before);
  });
});
