import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Kairos } from '../../src/app.ts';
import { localAdmin } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config.ts';
import { condition, defineWorkflow, loop, parallel, router, step } from '../../src/workflows/define-workflow.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { logger } from './harness.ts';

const indexPath = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

describe('the TypeScript builder', () => {
  it('produces the JSON the API takes, function steps as modules', () => {
    const declared = defineWorkflow({
      name: 'My Flow',
      steps: [
        step('fetch', {
          assistant_id: '00000000-0000-0000-0000-0000000000aa',
          timeout: 30,
          retry: { max_attempts: 2 },
        }),
        parallel('both', [step('a', (input) => input), step('b', { module: 'echo' })], { fail_fast: true }),
        loop('review', [step('draft', () => 'd')], { end_condition: 'current_iteration >= 2', max_iterations: 4 }),
        router('pick', 'input.kind', [step('x', { module: 'echo' })]),
        condition('gate', 'true', [step('yes', { module: 'echo' })], [step('no', { module: 'echo' })]),
      ],
    });
    expect(declared.definition).toEqual({
      name: 'My Flow',
      steps: [
        {
          type: 'step',
          name: 'fetch',
          assistant_id: '00000000-0000-0000-0000-0000000000aa',
          timeout: 30,
          retry: { max_attempts: 2 },
        },
        {
          type: 'parallel',
          name: 'both',
          fail_fast: true,
          steps: [
            { type: 'step', name: 'a', module: 'workflow.My-Flow.a' },
            { type: 'step', name: 'b', module: 'echo' },
          ],
        },
        {
          type: 'loop',
          name: 'review',
          end_condition: 'current_iteration >= 2',
          max_iterations: 4,
          steps: [{ type: 'step', name: 'draft', module: 'workflow.My-Flow.draft' }],
        },
        {
          type: 'router',
          name: 'pick',
          selector: 'input.kind',
          choices: [{ type: 'step', name: 'x', module: 'echo' }],
        },
        {
          type: 'condition',
          name: 'gate',
          evaluator: 'true',
          steps: [{ type: 'step', name: 'yes', module: 'echo' }],
          else_steps: [{ type: 'step', name: 'no', module: 'echo' }],
        },
      ],
    });
    expect(declared.modules.map((m) => m.id)).toEqual(['workflow.My-Flow.a', 'workflow.My-Flow.draft']);
  });
});

// Workflows declared in the config file are registered at start (owned by the local admin,
// `source: "config"`); their JSON is what the API shows; their function steps run as modules.
describe('workflows of the config file (pglite)', () => {
  let test: TestDatabase;
  let kairos: Kairos | undefined;
  afterAll(async () => {
    await kairos?.close();
    await test?.close();
  });

  it(
    'registers them at start, re-registers unchanged ones without a new version, and runs them',
    { timeout: 60_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kairos-workflows-'));
      const file = join(dir, 'kairos.config.ts');
      await writeFile(
        file,
        `import { defineWorkflow, step, loop } from ${JSON.stringify(indexPath)};
export default {
  workflows: [
    defineWorkflow({
      name: 'declared',
      description: 'from the config file',
      steps: [
        step('double', (input: { n: number }) => ({ n: input.n * 2 })),
        loop('grow', [step('inc', (input: { n: number }) => ({ n: input.n + 1 }))], { forward_iteration_output: true, max_iterations: 5, end_condition: 'step_outputs.inc.n >= 10.0' }),
      ],
    }),
  ],
};
`,
      );
      test = await createTestDatabase('pglite');
      const config = loadConfig({
        KAIROS_CONFIG: file,
        KAIROS_LOG_LEVEL: 'silent',
        KAIROS_DEMO: 'false',
        KAIROS_POLL_INTERVAL_MS: '200',
      });
      kairos = await Kairos.create({ config, db: test.db, logger });
      const listed = await kairos.workflows.list(localAdmin, { source: 'config' });
      expect(listed.items).toHaveLength(1);
      const workflow = listed.items[0]!;
      expect(workflow).toMatchObject({
        name: 'declared',
        description: 'from the config file',
        source: 'config',
        version: 1,
        owner_id: localAdmin.userId,
      });
      expect(workflow.definition.steps[0]).toEqual({
        type: 'step',
        name: 'double',
        module: 'workflow.declared.double',
      });

      // A second replica starting with the same file changes nothing.
      const again = await Kairos.create({ config, db: test.db, logger });
      expect((await again.workflows.get(localAdmin, workflow.id)).version).toBe(1);
      await again.close();

      await kairos.start();
      const run = await kairos.workflows.run(localAdmin, workflow.id, { input: { n: 3 } });
      const done = await kairos.runs.wait(localAdmin, run.id, { timeoutMs: 30_000 });
      expect(done.status).toBe('success');
      expect(done.output).toEqual({ content: { n: 10 }, steps: { double: { n: 6 }, inc: { n: 10 }, grow: { n: 10 } } });
    },
  );
});
