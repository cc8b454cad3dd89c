import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKairos as run, startCliServer, type CliServer } from '../helpers/kairos-process.ts';

// `kairos workflows …` as subprocesses against a real server (api + worker) whose config file
// registers one module, so that `run --wait` runs the workflow to its end.
describe('kairos workflows (subprocess against a running server)', () => {
  let cli: CliServer;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-cli-wf-'));
    await writeFile(
      join(dir, 'kairos.config.mjs'),
      `export default { assistants: [{ id: 'shout', name: 'Shout', run: (input) => ({ text: String(input.text ?? input).toUpperCase() }) }] };\n`,
    );
    // Every role (api, scheduler, worker): `run --wait` needs a worker.
    cli = await startCliServer('cliwf', {
      serverEnv: { KAIROS_ROLES: '', KAIROS_CONFIG: join(dir, 'kairos.config.mjs'), KAIROS_POLL_INTERVAL_MS: '100' },
    });
    env = cli.env;
  }, 120_000);

  afterAll(async () => {
    await cli?.close();
  });

  it(
    'validates, creates from a file, lists, gets and runs with --wait printing the output',
    { timeout: 120_000 },
    async () => {
      const good = join(dir, 'good.json');
      await writeFile(
        good,
        JSON.stringify({
          name: 'cli-flow',
          steps: [
            { type: 'step', name: 'loud', module: 'shout' },
            {
              type: 'parallel',
              name: 'both',
              steps: [
                { type: 'step', name: 'a', module: 'shout', input: '{{input}}' },
                { type: 'step', name: 'b', module: 'shout' },
              ],
            },
          ],
        }),
      );
      const valid = await run(['workflows', 'validate', '-f', good], env);
      expect(valid.status, valid.stderr).toBe(0);
      expect(valid.stdout).toBe('valid\n');

      const created = await run(['workflows', 'create', '-f', good, '--json'], env);
      expect(created.status, created.stderr).toBe(0);
      const workflow = JSON.parse(created.stdout) as { id: string; version: number; name: string };
      expect(workflow).toMatchObject({ name: 'cli-flow', version: 1 });

      const table = await run(['workflows', 'list'], env);
      expect(table.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+VERSION\s+SOURCE\s+STEPS/m);
      expect(table.stdout).toMatch(new RegExp(`${workflow.id}\\s+cli-flow\\s+active\\s+1\\s+api\\s+2`));
      const got = await run(['workflows', 'get', workflow.id, '--json'], env);
      expect((JSON.parse(got.stdout) as { definition: { steps: unknown[] } }).definition.steps).toHaveLength(2);

      const ran = await run(['workflows', 'run', workflow.id, '--input', '{"text":"hi"}', '--wait', '--json'], env);
      expect(ran.status, ran.stderr).toBe(0);
      const finished = JSON.parse(ran.stdout) as {
        status: string;
        workflow_id: string;
        output: { content: unknown; steps: Record<string, unknown> };
        steps: Array<{ name: string; status: string }>;
      };
      expect(finished).toMatchObject({ status: 'success', workflow_id: workflow.id });
      expect(finished.output.steps.loud).toEqual({ text: 'HI' });
      expect(finished.output.content).toEqual({ a: { text: 'HI' }, b: { text: 'HI' } });
      expect(finished.steps.map((node) => [node.name, node.status])).toEqual([
        ['loud', 'success'],
        ['both', 'success'],
      ]);

      const human = await run(['workflows', 'run', workflow.id, '--input', 'plain', '--wait'], env);
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout).toContain('"text": "PLAIN"');
      const runs = await run(['workflows', 'runs', workflow.id, '--status', 'success', '--json'], env);
      expect((JSON.parse(runs.stdout) as { total: number }).total).toBe(2);
    },
  );

  it('refuses a broken definition with exit 2, naming every path, and saves nothing', { timeout: 60_000 }, async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({
        name: 'broken',
        steps: [
          { type: 'step', name: 'x', module: 'no-such-module' },
          {
            type: 'condition',
            name: 'gate',
            evaluator: 'undefined_var == 1',
            steps: [{ type: 'step', name: 'y', module: 'shout' }],
          },
        ],
      }),
    );
    const invalid = await run(['workflows', 'validate', '-f', broken], env);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('steps[0].module');
    expect(invalid.stderr).toContain('steps[1].evaluator');
    const create = await run(['workflows', 'create', '-f', broken], env);
    expect(create.status).toBe(2);
    expect(create.stderr).toContain('steps[0].module');
    const listed = await run(['workflows', 'list', '--name', 'broken', '--json'], env);
    expect((JSON.parse(listed.stdout) as { total: number }).total).toBe(0);

    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ nope');
    const parse = await run(['workflows', 'validate', '-f', notJson], env);
    expect(parse.status).toBe(2);
    expect(parse.stderr).toMatch(/--file: not valid JSON/);
    const missing = await run(['workflows', 'run', '00000000-0000-0000-0000-00000000beef'], env);
    expect(missing.status).toBe(2);
  });
});
