import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantExecution, executeAssistant } from '../../src/agents/execute-assistant.ts';
import { defineAssistant } from '../../src/agents/define-assistant.ts';
import {
  createModuleRegistry,
  loadModuleRegistry,
  ModuleConfigError,
  type ModuleRegistry,
} from '../../src/agents/module-registry.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';
import { agentConfig, makeRun, recordEvents, silentLogger } from './fixtures.ts';

const defineAssistantPath = fileURLToPath(new URL('../../src/agents/define-assistant.ts', import.meta.url));
const runtimePath = fileURLToPath(new URL('../../src/runs/run-failure.ts', import.meta.url));

describe('module assistants from a config file', () => {
  let dir: string;
  let testDb: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-modules-'));
    testDb = await createTestDatabase('pglite');
    await mkdir(join(dir, 'ts'), { recursive: true });
    await writeFile(
      join(dir, 'ts', 'kairos.config.ts'),
      `import { defineAssistant } from ${JSON.stringify(defineAssistantPath)};
import { RunFailure } from ${JSON.stringify(runtimePath)};

interface Numbers { numbers: number[] }

export default {
  schedules: [], // other sections of the config file are left to the rest of Kairos
  assistants: [
    defineAssistant({
      id: 'sum',
      name: 'Sum',
      run(input: Numbers, ctx) {
        ctx.logger.info({ count: input.numbers.length }, 'summing');
        ctx.recordUsage({ total_tokens: 0 });
        return {
          sum: input.numbers.reduce((a, b) => a + b, 0),
          history: ctx.history.length,
          run_id: ctx.run.id,
          trigger: ctx.run.trigger,
          owner: ctx.run.ownerId,
          assistant: ctx.assistant.name,
          options: ctx.options,
          aborted: ctx.signal.aborted,
        };
      },
    }),
    defineAssistant({ id: 'broken', name: 'Broken', run() { throw new Error('the data source is down'); } }),
    defineAssistant({
      id: 'picky',
      name: 'Picky',
      run() { throw new RunFailure('assistant_error', 'input is not a report', { retryable: false }); },
    }),
    defineAssistant({ id: 'stuck', name: 'Stuck', run: () => new Promise(() => {}) }),
    defineAssistant({
      id: 'polite',
      name: 'Polite',
      run: (_input, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'))),
    }),
  ],
};
`,
    );
    await mkdir(join(dir, 'json', 'agents'), { recursive: true });
    await writeFile(
      join(dir, 'json', 'kairos.config.json'),
      JSON.stringify({ modules: ['./agents/greet.ts', './agents/plain.mjs'] }),
    );
    await writeFile(
      join(dir, 'json', 'agents', 'greet.ts'),
      `import { defineAssistant } from ${JSON.stringify(defineAssistantPath)};
export default defineAssistant({ id: 'greet', name: 'Greeter', run: (input: string) => \`hello \${input}\` });
export const shout = defineAssistant({ id: 'shout', name: 'Shouter', run: (input: string) => input.toUpperCase() });
`,
    );
    await writeFile(
      join(dir, 'json', 'agents', 'plain.mjs'),
      `export default { id: 'plain', name: 'Plain JS', run: (input) => ({ plain: input }) };\n`,
    );
    await mkdir(join(dir, 'bad'), { recursive: true });
    await writeFile(
      join(dir, 'bad', 'duplicate.config.mjs'),
      `export default { assistants: [{ id: 'x', name: 'one', run: () => 1 }, { id: 'x', name: 'two', run: () => 2 }] };\n`,
    );
    await writeFile(
      join(dir, 'bad', 'nameless.config.mjs'),
      `export default { assistants: [{ id: 'x', run: () => 1 }] };\n`,
    );
    await writeFile(join(dir, 'bad', 'kairos.config.json'), JSON.stringify({ modules: ['./empty.mjs'] }));
    await writeFile(join(dir, 'bad', 'empty.mjs'), `export const nothing = 1;\n`);
  });
  afterAll(async () => {
    await testDb.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function moduleAssistant(module: string, config: Record<string, unknown> = {}) {
    return insertAssistant(testDb.db, {
      ownerId: '00000000-0000-0000-0000-000000000001',
      name: `module ${module}`,
      kind: 'module',
      config: { module, ...config },
    });
  }

  async function run(registry: ModuleRegistry, module: string, input: unknown, config: Record<string, unknown> = {}) {
    const deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), registry });
    const assistant = await moduleAssistant(module, config);
    const runToExecute = makeRun({ assistantId: assistant.id, input, trigger: 'schedule' });
    return {
      result: executeAssistant(deps, runToExecute, new AbortController().signal, recordEvents().emit),
      runToExecute,
    };
  }

  async function failure(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('finds kairos.config.ts in the working directory and runs its assistants with a context', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'ts') });
    expect(registry.ids()).toEqual(['broken', 'picky', 'polite', 'stuck', 'sum']);
    expect(registry.source).toBe(join(dir, 'ts', 'kairos.config.ts'));
    const { result, runToExecute } = await run(registry, 'sum', { numbers: [1, 2, 3.5] }, { options: { unit: 'eur' } });
    const done = await result;
    expect(done.output).toEqual({
      sum: 6.5,
      history: 0,
      run_id: runToExecute.id,
      trigger: 'schedule',
      owner: '00000000-0000-0000-0000-000000000001',
      assistant: 'module sum',
      options: { unit: 'eur' },
      aborted: false,
    });
    expect(done.usage).toEqual({ total_tokens: 0 });
  });

  it('loads modules named by kairos.config.json: default and named exports, TS and plain JS', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'json') });
    expect(registry.ids()).toEqual(['greet', 'plain', 'shout']);
    expect((await (await run(registry, 'greet', 'world')).result).output).toBe('hello world');
    expect((await (await run(registry, 'shout', 'hey')).result).output).toBe('HEY');
    expect((await (await run(registry, 'plain', 7)).result).output).toEqual({ plain: 7 });
  });

  it('KAIROS_CONFIG names the file explicitly (relative to the working directory)', async () => {
    const registry = await loadModuleRegistry({ configFile: 'json/kairos.config.json', cwd: dir });
    expect(registry.ids()).toEqual(['greet', 'plain', 'shout']);
    await expect(loadModuleRegistry({ configFile: 'missing.config.ts', cwd: dir })).rejects.toThrow(/does not exist/);
  });

  it('no config file means only the built-ins', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'nowhere') });
    expect(registry.ids()).toEqual([]);
  });

  it('refuses broken config files with a message naming the problem', async () => {
    await expect(loadModuleRegistry({ configFile: 'bad/duplicate.config.mjs', cwd: dir })).rejects.toThrow(
      /share the id "x"/,
    );
    await expect(loadModuleRegistry({ configFile: 'bad/nameless.config.mjs', cwd: dir })).rejects.toThrow(
      /"x" needs a name/,
    );
    const empty = loadModuleRegistry({ cwd: join(dir, 'bad') });
    await expect(empty).rejects.toBeInstanceOf(ModuleConfigError);
    await expect(loadModuleRegistry({ cwd: join(dir, 'bad') })).rejects.toThrow(/exports no assistant/);
  });

  it('a throwing module fails the run as a retryable assistant_error; a RunFailure passes through', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'ts') });
    const broken = await failure((await run(registry, 'broken', null)).result);
    expect(broken).toMatchObject({ kind: 'assistant_error', retryable: true });
    expect(broken.message).toBe('module "broken" failed: the data source is down');
    const picky = await failure((await run(registry, 'picky', null)).result);
    expect(picky).toMatchObject({ kind: 'assistant_error', retryable: false, message: 'input is not a report' });
  });

  it('a module that ignores its signal is abandoned at timeout_s; one that listens sees the abort', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'ts') });
    const stuck = await failure((await run(registry, 'stuck', null, { timeout_s: 0.2 })).result);
    expect(stuck).toMatchObject({ kind: 'timeout', retryable: true });
    const polite = await failure((await run(registry, 'polite', null, { timeout_s: 0.2 })).result);
    expect(polite.kind).toBe('timeout');
  });

  it('a module the config file no longer registers is a config failure listing the registered ones', async () => {
    const registry = await loadModuleRegistry({ cwd: join(dir, 'json') });
    const error = await failure((await run(registry, 'sum', null)).result);
    expect(error).toMatchObject({ kind: 'config', retryable: false });
    expect(error.message).toContain('module "sum" is not registered');
    expect(error.message).toContain('greet, plain, shout');
  });

  it("passes the run's LangGraph config and context as ctx.config and ctx.context (absent without them)", async () => {
    const registry = createModuleRegistry([
      defineAssistant({
        id: 'seen',
        name: 'Seen',
        run: (_input, ctx) => ({ has: 'config' in ctx, config: ctx.config ?? null, context: ctx.context ?? null }),
      }),
    ]);
    const deps = createAssistantExecution({ db: testDb.db, logger: silentLogger, config: agentConfig(), registry });
    const assistant = await moduleAssistant('seen');
    const withConfig = makeRun({
      assistantId: assistant.id,
      config: { configurable: { user: 'ada' } },
      context: { locale: 'fr' },
    });
    expect(
      (await executeAssistant(deps, withConfig, new AbortController().signal, recordEvents().emit)).output,
    ).toEqual({
      has: true,
      config: { configurable: { user: 'ada' } },
      context: { locale: 'fr' },
    });
    const plain = makeRun({ assistantId: assistant.id });
    expect((await executeAssistant(deps, plain, new AbortController().signal, recordEvents().emit)).output).toEqual({
      has: false,
      config: null,
      context: null,
    });
  });
});
