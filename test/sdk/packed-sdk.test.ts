import { serve, type ServerType } from '@hono/node-server';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../api/harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// `npm pack` builds the SDK (prepack) and a separate project installs the tarball: slow, once.
describe(
  'the SDK as another project uses it: npm pack, npm install, import from "kairos/sdk"',
  { timeout: 600_000 },
  () => {
    let api: ApiHarness;
    let server: ServerType;
    let url: string;
    let project: string;
    beforeAll(async () => {
      api = await createApiHarness('postgres', {}, { services: true }); // no keys: local mode
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const work = mkdtempSync(join(tmpdir(), 'kairos-sdk-pack-'));
      execFileSync(npm, ['pack', '--pack-destination', work, '--silent'], { cwd: root, stdio: 'pipe' });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
      project = join(work, 'consumer');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      execFileSync(
        npm,
        ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', '--silent'],
        { cwd: project, stdio: 'pipe' },
      );
    }, 600_000);
    afterAll(async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
      await api?.close();
    });

    it('imports KairosClient from the installed package and calls a running server with it', async () => {
      const created = await api.call('POST', '/api/v1/assistants', {
        body: { name: 'echo', kind: 'module', config: { module: 'echo' } },
      });
      const assistantId = ((await created.json()) as { id: string }).id;
      writeFileSync(
        join(project, 'main.js'),
        `import { KairosClient, KairosApiError } from 'kairos/sdk';
const kairos = new KairosClient({ baseUrl: process.argv[2] });
const schedule = await kairos.schedules.create({ assistant_id: process.argv[3], schedule: '0 9 * * *', name: 'from-sdk' });
const page = await kairos.schedules.list();
let refused = null;
try { await kairos.schedules.get('00000000-0000-0000-0000-000000000000'); } catch (error) { refused = error instanceof KairosApiError ? error.status : 'other'; }
console.log(JSON.stringify({ name: schedule.name, total: page.total, refused }));
`,
      );
      // Plain node (no tsx, no loader: the package's own JS), not blocking: the server runs in this process.
      const { stdout } = await promisify(execFile)(process.execPath, ['main.js', url, assistantId], { cwd: project });
      expect(JSON.parse(stdout)).toEqual({ name: 'from-sdk', total: 1, refused: 404 });
    });

    it('ships types: a TypeScript consumer type-checks against them', () => {
      writeFileSync(
        join(project, 'typed.ts'),
        `import { KairosClient, type Schedule } from 'kairos/sdk';
const kairos: KairosClient = new KairosClient({ baseUrl: 'http://127.0.0.1:7700' });
export async function names(): Promise<string[]> {
  const page = await kairos.schedules.list();
  const first: Schedule | undefined = page.data[0];
  return page.data.map((s) => s.name).concat(first ? [first.id] : []);
}
// @ts-expect-error: a schedule has no such field
export const wrong = (s: Schedule) => s.no_such_field;
`,
      );
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          files: ['typed.ts'],
        }),
      );
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const result = (() => {
        try {
          return execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error);
        }
      })();
      expect(result).toBe('');
    });
  },
);
