import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Caller } from '../api/harness.ts';
import { asStored, fingerprint, printSlowest, readBack, sendSafely, sentBody, type Probe } from './answer-check.ts';
import { fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-options.ts';
import { hostileNumber, hostileString, requestBody } from './hostile-values.ts';
import { templateValue } from './template-strings.ts';

interface Workflow {
  id: string;
  name: string;
  version: number;
  definition: { name: string; steps: unknown[] };
  metadata: Record<string, unknown>;
}

/** CEL: valid expressions of each site, near misses, and texts that strain a parser (deep parentheses, long chains). */
export const celText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'current_iteration >= 2',
    'step_outputs.review.contains("APPROVED")',
    'previous_step_content.size() > 10',
    'input.kind == "urgent"',
    '"first"',
    'true',
    'previous_step_outputs["first"] != ""',
  ),
  fc.constantFrom(
    '',
    ' ',
    '1 +',
    'unknown_var > 1',
    '"a" + 1',
    'true ? "a"',
    '))',
    '[[[',
    'a.b.c.d.e()',
    '1 / 0',
    'size(',
    '\u0000',
    '"\\u',
  ),
  fc.integer({ min: 10, max: 1990 }).map((n) => `${'('.repeat(n)}true${')'.repeat(n)}`),
  fc.integer({ min: 10, max: 1300 }).map((n) => Array.from({ length: n }, () => 'true').join(' && ')),
  fc.integer({ min: 10, max: 1300 }).map((n) => `${'!'.repeat(n)}true`),
  fc.integer({ min: 10, max: 900 }).map((n) => `${'['.repeat(n)}1${']'.repeat(n)} == []`),
  fc.integer({ min: 10, max: 3990 }).map((n) => `-${'-'.repeat(n)}1 > 0`),
  fc.string({ maxLength: 30 }),
);

const stepName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('first', 'second', 'review', 'draft') },
  hostileString,
);

/** Workflow nodes of every type, nested, with mostly valid fields. */
function nodes(assistantId: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record(
        {
          type: fc.constant('step'),
          name: stepName,
          module: fc.constantFrom('echo', 'missing'),
          assistant_id: fc.constantFrom(assistantId, 'nope'),
          input: fc.oneof(
            templateValue,
            fc.constantFrom('{{input}}', '{{previous}}', '{{steps.first}}', '{{steps.missing}}'),
          ),
          timeout: fc.oneof(fc.integer({ min: 1, max: 60 }), hostileNumber),
          retry: fc.record({
            max_attempts: fc.integer({ min: 0, max: 101 }),
            backoff: fc.constantFrom('fixed', 'none', 'x'),
          }),
          skip_on_failure: fc.boolean(),
        },
        { requiredKeys: ['type', 'name'] },
      ),
      fc.record(
        {
          type: fc.constant('parallel'),
          name: stepName,
          steps: fc.array(tie('node'), { maxLength: 3 }),
          fail_fast: fc.boolean(),
        },
        { requiredKeys: ['type', 'name', 'steps'] },
      ),
      fc.record(
        {
          type: fc.constant('loop'),
          name: stepName,
          steps: fc.array(tie('node'), { maxLength: 2 }),
          end_condition: celText,
          max_iterations: fc.integer({ min: -1, max: 101 }),
          forward_iteration_output: fc.boolean(),
        },
        { requiredKeys: ['type', 'name', 'steps'] },
      ),
      fc.record({
        type: fc.constant('router'),
        name: stepName,
        selector: celText,
        choices: fc.array(tie('node'), { maxLength: 2 }),
      }),
      fc.record(
        {
          type: fc.constant('condition'),
          name: stepName,
          evaluator: celText,
          steps: fc.array(tie('node'), { maxLength: 2 }),
          else_steps: fc.array(tie('node'), { maxLength: 2 }),
        },
        { requiredKeys: ['type', 'name', 'evaluator', 'steps'] },
      ),
      fc.record({ type: fc.constantFrom('goto', 'STEP', ''), name: stepName }),
    ),
  })).node;
}

/** Nodes that validate (unique names are not guaranteed, so some still collide): the accepted side of the property. */
const validNode: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      type: fc.constant('step'),
      name: fc.uuid(),
      module: fc.constant('echo'),
      input: fc.constantFrom('{{input}}', '{{previous}}', 'Today is {{date}}'),
    }),
    fc.record({
      type: fc.constant('parallel'),
      name: fc.uuid(),
      steps: fc.array(tie('node'), { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      type: fc.constant('loop'),
      name: fc.uuid(),
      steps: fc.array(tie('node'), { minLength: 1, maxLength: 2 }),
      end_condition: fc.constant('current_iteration >= 2'),
      max_iterations: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({
      type: fc.constant('condition'),
      name: fc.uuid(),
      evaluator: fc.constant('previous_step_content.size() > 0'),
      steps: fc.array(tie('node'), { minLength: 1, maxLength: 2 }),
    }),
  ),
})).node;

describe('fuzz: workflow bodies', () => {
  let h: ApiHarness;
  let alice: Caller;
  let assistantId: string;
  let target: Workflow;
  let counter = 0;
  const state = () =>
    fingerprint(h.db, ['workflows', 'workflow_versions', 'runs', 'run_steps', 'threads'], ['workflows']);

  beforeAll(async () => {
    h = await createApiHarness('postgres', {}, { services: true });
    alice = await h.caller('member');
    const assistant = await h.call('POST', '/api/v1/assistants', {
      key: alice.key,
      body: { name: 'Echo', kind: 'module', config: { module: 'echo' } },
    });
    assistantId = ((await assistant.json()) as { id: string }).id;
    const created = await h.call('POST', '/api/v1/workflows', {
      key: alice.key,
      body: { name: 'target', steps: [{ type: 'step', name: 'first', module: 'echo' }] },
    });
    expect(created.status).toBe(201);
    target = (await created.json()) as Workflow;
  });
  afterAll(async () => {
    printSlowest('workflows');
    await h.close();
  });

  const definition = (name: fc.Arbitrary<unknown>) =>
    fc.record(
      {
        name,
        description: fc.oneof(fc.string({ maxLength: 20 }), hostileString),
        steps: fc.oneof(
          fc.array(validNode, { minLength: 1, maxLength: 3 }),
          fc.array(nodes(assistantId), { minLength: 0, maxLength: 3 }),
        ),
        metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
        status: fc.constantFrom('active', 'inactive', 'archived'),
      },
      { requiredKeys: ['name', 'steps'] },
    );

  async function checkStored(probe: Probe, workflow: Workflow): Promise<void> {
    expect(await readBack(h, alice.key, `/api/v1/workflows/${workflow.id}`)).toEqual(workflow);
    const sent = sentBody(probe) ?? {};
    if (Array.isArray(sent.steps)) expect(workflow.definition.steps.length).toBe(sent.steps.length);
    if (sent.metadata !== undefined) expect(workflow.metadata).toEqual(asStored(sent.metadata));
  }

  it(`POST /api/v1/workflows (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        requestBody(definition(fc.oneof(fc.constant(`wf-${++counter}`), hostileString))),
        async (body) => {
          const probe: Probe = { method: 'POST', path: '/api/v1/workflows', body, key: alice.key };
          const answer = await sendSafely(h, probe, state);
          if (answer.status !== 201) return;
          accepted++;
          const workflow = answer.json as Workflow;
          await checkStored(probe, workflow);
          expect((await h.call('DELETE', `/api/v1/workflows/${workflow.id}`, { key: alice.key })).status).toBe(204);
        },
      ),
      fuzzParameters(40),
    );
    expect(accepted, 'the generator reaches valid bodies too').toBeGreaterThan(0);
  });

  it(`POST /api/v1/workflows/validate stores nothing (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    await fc.assert(
      fc.asyncProperty(requestBody(definition(fc.constant('draft'))), async (body) => {
        const before = await state();
        const answer = await sendSafely(
          h,
          { method: 'POST', path: '/api/v1/workflows/validate', body, key: alice.key },
          state,
        );
        expect(await state()).toBe(before);
        if (answer.status === 200) expect(answer.json).toEqual({ valid: true });
      }),
      fuzzParameters(40),
    );
  });

  it(`PATCH /api/v1/workflows/{id} (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    const patch = definition(fc.constant('target')).map((body) => {
      const { name: _name, ...rest } = body;
      return rest;
    });
    await fc.assert(
      fc.asyncProperty(requestBody(patch), async (body) => {
        const probe: Probe = { method: 'PATCH', path: `/api/v1/workflows/${target.id}`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status === 200) await checkStored(probe, answer.json as Workflow);
      }),
      fuzzParameters(30),
    );
  });

  it(`POST /api/v1/workflows/{id}/runs (seed ${fuzzSeed})`, { timeout: fuzzTimeoutMs }, async () => {
    await h.call('PATCH', `/api/v1/workflows/${target.id}`, {
      key: alice.key,
      body: { status: 'active', steps: [{ type: 'step', name: 'first', module: 'echo' }] },
    });
    const run = fc.record(
      {
        input: templateValue,
        thread_id: fc.constantFrom(null, '00000000-0000-0000-0000-000000000000', 'not-a-uuid'),
        timeout: fc.oneof(fc.integer({ min: 1, max: 600 }), hostileNumber),
        retry: fc.record({ max_attempts: fc.integer({ min: 0, max: 101 }) }),
        metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(requestBody(run), async (body) => {
        const probe: Probe = { method: 'POST', path: `/api/v1/workflows/${target.id}/runs`, body, key: alice.key };
        const answer = await sendSafely(h, probe, state);
        if (answer.status >= 300) return;
        const created = answer.json as { id: string; input: unknown };
        expect(await readBack(h, alice.key, `/api/v1/runs/${created.id}`)).toMatchObject(created);
        const input = sentBody(probe)?.input;
        if (input !== undefined) expect(created.input).toEqual(asStored(input));
      }),
      fuzzParameters(25),
    );
  });
});
