import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { admin, createWorkflowHarness, flatten, type WorkflowHarness } from './harness.ts';

describe.each(databaseKinds)('workflow nodes (%s)', (kind) => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await createWorkflowHarness(kind);
  }, 60_000);
  afterAll(async () => h?.close());

  const byName = (steps: Parameters<typeof flatten>[0], name: string) => flatten(steps).filter((s) => s.name === name);

  it('passes data: first step gets the input, later ones the previous content; templates name input, previous, steps and schedule variables', async () => {
    h.agent.requests.length = 0;
    const { run, steps, events } = await h.run(
      {
        name: 'data',
        steps: [
          { type: 'step', name: 'shout', module: 'upper' },
          { type: 'step', name: 'post', assistant_id: h.httpAssistantId },
          {
            type: 'step',
            name: 'mix',
            module: 'echo',
            input: {
              original: '{{input}}',
              first: '{{steps.shout}}',
              text: 'was {{input}} on {{date}}',
              prev: '{{previous}}',
            },
          },
        ],
      },
      'hello',
    );
    expect(run.status).toBe('success');
    expect(run.workflow_version).toBe(1);
    const today = new Date(run.created_at).toISOString().slice(0, 10);
    expect(run.output).toEqual({
      content: { original: 'hello', first: 'HELLO', text: `was hello on ${today}`, prev: { ok: true, echo: 'HELLO' } },
      steps: {
        shout: 'HELLO',
        post: { ok: true, echo: 'HELLO' },
        mix: { original: 'hello', first: 'HELLO', text: `was hello on ${today}`, prev: { ok: true, echo: 'HELLO' } },
      },
    });
    // The http step got the previous content and an idempotency key of (run id, step path).
    const request = h.agent.requests.at(-1)!;
    expect((request.body as { input: unknown }).input).toBe('HELLO');
    expect(request.headers['idempotency-key']).toBe(`${run.id}:steps[1]`);
    expect(steps.map((s) => [s.path, s.name, s.status, s.input])).toEqual([
      ['steps[0]', 'shout', 'success', 'hello'],
      ['steps[1]', 'post', 'success', 'HELLO'],
      [
        'steps[2]',
        'mix',
        'success',
        { original: 'hello', first: 'HELLO', text: `was hello on ${today}`, prev: { ok: true, echo: 'HELLO' } },
      ],
    ]);
    // The trace has each node's start and end, in order.
    const trace = events
      .filter((e) => e.kind.startsWith('step_'))
      .map((e) => [e.kind, (e.data as { name: string }).name]);
    expect(trace).toEqual([
      ['step_started', 'shout'],
      ['step_finished', 'shout'],
      ['step_started', 'post'],
      ['step_finished', 'post'],
      ['step_started', 'mix'],
      ['step_finished', 'mix'],
    ]);
    const finished = events.find((e) => e.kind === 'step_finished')!.data as Record<string, unknown>;
    expect(finished).toMatchObject({ path: 'steps[0]', status: 'success', output: 'HELLO', attempt: 1 });
    expect(typeof finished.duration_ms).toBe('number');
  });

  it('parallel: branches get the same input; the next step gets every content by branch name, or as === name === text', async () => {
    const { run, steps } = await h.run(
      {
        name: 'fan',
        steps: [
          {
            type: 'parallel',
            name: 'fan',
            steps: [
              { type: 'step', name: 'zeta', module: 'upper' },
              { type: 'step', name: 'alpha', module: 'exclaim' },
            ],
          },
          { type: 'step', name: 'joined', module: 'echo' },
          { type: 'step', name: 'text', module: 'echo', input: '{{steps.fan}} / {{steps.fan}}' },
        ],
      },
      'x',
    );
    expect(run.status).toBe('success');
    const output = run.output as { steps: Record<string, unknown> };
    expect(output.steps.joined).toEqual({ zeta: 'X', alpha: 'x!' });
    const section = '=== zeta ===\nX\n\n=== alpha ===\nx!';
    expect(output.steps.text).toBe(`${section} / ${section}`);
    const fan = steps[0]!;
    expect(fan.type).toBe('parallel');
    expect(fan.children.map((c) => [c.name, c.input, c.output])).toEqual(
      expect.arrayContaining([
        ['zeta', 'x', 'X'],
        ['alpha', 'x', 'x!'],
      ]),
    );
  });

  it('parallel: a failing branch fails the node but its siblings run on; with fail_fast they are cancelled', async () => {
    const calm = await h.run(
      {
        name: 'calm',
        steps: [
          {
            type: 'parallel',
            name: 'p',
            steps: [
              { type: 'step', name: 'bad', module: 'fail' },
              { type: 'step', name: 'ok', module: 'upper' },
            ],
          },
        ],
      },
      'y',
    );
    expect(calm.run.status).toBe('error');
    expect(calm.run.error_kind).toBe('assistant_error');
    expect(calm.run.error).toContain('"bad"');
    expect(byName(calm.steps, 'ok')[0]!.status).toBe('success');
    expect(byName(calm.steps, 'bad')[0]!.status).toBe('error');
    expect(byName(calm.steps, 'p')[0]!.status).toBe('error');

    const fast = await h.run({
      name: 'fast',
      steps: [
        {
          type: 'parallel',
          name: 'p',
          fail_fast: true,
          steps: [
            { type: 'step', name: 'bad', module: 'fail' },
            { type: 'step', name: 'slow', module: 'slow' },
          ],
        },
      ],
    });
    expect(fast.run.status).toBe('error');
    expect(fast.run.error).toContain('"bad"');
    const slow = byName(fast.steps, 'slow')[0]!;
    expect(slow.status).toBe('cancelled');
    expect(JSON.stringify(slow.error)).toContain('fail_fast');
  });

  it('skip_on_failure records the failure and passes the input on', async () => {
    const { run, steps } = await h.run(
      {
        name: 'skip',
        steps: [
          { type: 'step', name: 'first', module: 'upper' },
          { type: 'step', name: 'broken', module: 'fail', skip_on_failure: true },
          { type: 'step', name: 'after', module: 'exclaim' },
        ],
      },
      'go',
    );
    expect(run.status).toBe('success');
    expect((run.output as { content: unknown }).content).toBe('GO!');
    const broken = byName(steps, 'broken')[0]!;
    expect(broken.status).toBe('skipped');
    expect(broken.error).toMatchObject({ kind: 'assistant_error' });
    expect(JSON.stringify(broken.error)).toContain('failed on purpose');
  });

  it('loop: ends when its end condition is true, forwarding each iteration output', async () => {
    const before = h.calls.get('count') ?? 0;
    const { run, steps } = await h.run(
      {
        name: 'loop-cond',
        steps: [
          {
            type: 'loop',
            name: 'again',
            max_iterations: 10,
            forward_iteration_output: true,
            end_condition: 'step_outputs.inc.n >= 3.0 && current_iteration == 3 && all_success',
            steps: [{ type: 'step', name: 'inc', module: 'count' }],
          },
        ],
      },
      { n: 0 },
    );
    expect(run.status).toBe('success');
    expect((run.output as { content: unknown }).content).toEqual({ n: 3 });
    expect((h.calls.get('count') ?? 0) - before).toBe(3);
    const loop = steps[0]!;
    expect(loop.children.map((c) => [c.iteration, c.input, c.output])).toEqual([
      [1, { n: 0 }, { n: 1 }],
      [2, { n: 1 }, { n: 2 }],
      [3, { n: 2 }, { n: 3 }],
    ]);
  });

  it('loop: stops at max_iterations; without forwarding each iteration gets the loop input; last_step_content is text', async () => {
    const { run, steps, events } = await h.run(
      {
        name: 'loop-max',
        steps: [
          {
            type: 'loop',
            name: 'thrice',
            max_iterations: 3,
            end_condition: 'last_step_content == "never"',
            steps: [
              { type: 'step', name: 'inc', module: 'count' },
              { type: 'step', name: 'up', module: 'upper' },
            ],
          },
        ],
      },
      { n: 5 },
    );
    expect(run.status).toBe('success');
    const children = steps[0]!.children;
    expect(children.filter((c) => c.name === 'inc').map((c) => c.input)).toEqual([{ n: 5 }, { n: 5 }, { n: 5 }]);
    expect(children.map((c) => `${c.name}@${c.iteration}`)).toEqual([
      'inc@1',
      'up@1',
      'inc@2',
      'up@2',
      'inc@3',
      'up@3',
    ]);
    expect((run.output as { content: unknown }).content).toBe('{"N":6}');
    expect(
      events
        .filter((e) => e.kind === 'loop_iteration')
        .map((e) => (e.data as { end_condition: boolean }).end_condition),
    ).toEqual([false, false, false]);
  });

  it('router: the selector names the choice that runs; an unknown choice fails with workflow_error', async () => {
    const definition = {
      name: 'route',
      steps: [
        {
          type: 'router' as const,
          name: 'r',
          selector: 'input.route',
          choices: [
            { type: 'step' as const, name: 'loud', module: 'upper' },
            { type: 'step' as const, name: 'happy', module: 'exclaim' },
          ],
        },
      ],
    };
    const loud = await h.run(definition, { route: 'loud', text: 'a' });
    expect(loud.run.status).toBe('success');
    expect(byName(loud.steps, 'loud')).toHaveLength(1);
    expect(byName(loud.steps, 'happy')).toHaveLength(0);
    const happy = await h.run(definition, { route: 'happy' });
    expect((happy.run.output as { content: unknown }).content).toBe('{"route":"happy"}!');

    const unknown = await h.run(definition, { route: 'elsewhere' });
    expect(unknown.run.status).toBe('error');
    expect(unknown.run.error_kind).toBe('workflow_error');
    expect(unknown.run.error).toContain('"elsewhere", which is not a choice (choices: loud, happy)');
    expect(unknown.steps[0]!.status).toBe('error');
    expect(unknown.steps[0]!.error).toMatchObject({ kind: 'workflow_error', expression: 'input.route' });
  });

  it('condition: runs steps when true, else_steps when false, and passes the input on without else', async () => {
    const withElse = {
      name: 'cond-else',
      steps: [
        {
          type: 'condition' as const,
          name: 'c',
          evaluator: 'input.size() > 3',
          steps: [{ type: 'step' as const, name: 'long', module: 'upper' }],
          else_steps: [{ type: 'step' as const, name: 'short', module: 'exclaim' }],
        },
      ],
    };
    expect(((await h.run(withElse, 'abcdef')).run.output as { content: unknown }).content).toBe('ABCDEF');
    expect(((await h.run(withElse, 'ab')).run.output as { content: unknown }).content).toBe('ab!');
    const without = await h.run(
      {
        name: 'cond',
        steps: [
          { type: 'step', name: 'first', module: 'upper' },
          {
            type: 'condition',
            name: 'c',
            evaluator: 'previous_step_content == "NO" && previous_step_outputs.first == "NO" && run.trigger == "api"',
            steps: [{ type: 'step', name: 'then', module: 'exclaim' }],
          },
          { type: 'step', name: 'last', module: 'echo' },
        ],
      },
      'yes',
    );
    expect(without.run.status).toBe('success');
    expect((without.run.output as { content: unknown }).content).toBe('YES');
    expect(byName(without.steps, 'then')).toHaveLength(0);
  });

  it('a CEL expression that fails at run time fails the node with workflow_error, never a silent false', async () => {
    const { run, steps } = await h.run(
      {
        name: 'cel-error',
        steps: [
          {
            type: 'condition',
            name: 'c',
            evaluator: 'input.missing == 1.0',
            steps: [{ type: 'step', name: 'x', module: 'echo' }],
            else_steps: [{ type: 'step', name: 'y', module: 'echo' }],
          },
        ],
      },
      { present: true },
    );
    expect(run.status).toBe('error');
    expect(run.error_kind).toBe('workflow_error');
    expect(run.error).toContain('input.missing == 1.0');
    expect(run.error).toContain('missing');
    expect(flatten(steps).map((s) => s.name)).toEqual(['c']);
  });

  it('nests: a parallel in a loop in a condition, and a nested workflow step', async () => {
    const inner = await h.workflows.create(admin, {
      name: `inner-${kind}`,
      steps: [
        { type: 'step', name: 'in1', module: 'upper' },
        { type: 'step', name: 'in2', module: 'exclaim' },
      ],
    });
    const { run, steps } = await h.run(
      {
        name: 'nested',
        steps: [
          {
            type: 'condition',
            name: 'gate',
            evaluator: 'true',
            steps: [
              {
                type: 'loop',
                name: 'twice',
                max_iterations: 2,
                steps: [
                  {
                    type: 'parallel',
                    name: 'both',
                    steps: [
                      { type: 'step', name: 'u', module: 'upper' },
                      { type: 'step', name: 'e', module: 'exclaim' },
                    ],
                  },
                ],
              },
            ],
          },
          { type: 'step', name: 'sub', workflow_id: inner.id, input: 'abc' },
        ],
      },
      'q',
    );
    expect(run.status).toBe('success');
    expect((run.output as { content: unknown }).content).toBe('ABC!');
    const all = flatten(steps);
    expect(all.filter((s) => s.name === 'u').map((s) => s.iteration)).toEqual([1, 2]);
    expect(all.find((s) => s.name === 'u')!.path).toBe('steps[0].steps[0].steps[0].steps[0]');
    expect(all.find((s) => s.name === 'u')!.key).toBe('steps[0].steps[0]@1.steps[0].steps[0]');
    const sub = all.find((s) => s.name === 'sub')!;
    expect(sub.children.map((c) => [c.name, c.path, c.output])).toEqual([
      ['in1', 'steps[1].workflow.steps[0]', 'ABC'],
      ['in2', 'steps[1].workflow.steps[1]', 'ABC!'],
    ]);
  });

  it('retries a step within the run (retry.max_attempts), recording each attempt', async () => {
    h.calls.set('flaky', 0);
    const { run, steps, events } = await h.run({
      name: 'retry',
      steps: [{ type: 'step', name: 'f', module: 'flaky', retry: { max_attempts: 3, backoff: 'none' } }],
    });
    expect(run.status).toBe('success');
    expect(steps[0]).toMatchObject({ status: 'success', attempt: 2, output: 'steady' });
    expect(events.filter((e) => e.kind === 'step_started').map((e) => (e.data as { attempt: number }).attempt)).toEqual(
      [1, 2],
    );
    expect(events.filter((e) => e.kind === 'step_finished').map((e) => (e.data as { status: string }).status)).toEqual([
      'error',
      'success',
    ]);
  });

  it('times a step out with its own timeout', async () => {
    const { run, steps } = await h.run({
      name: 'timeout',
      steps: [{ type: 'step', name: 's', module: 'slow', timeout: 0.2 }],
    });
    expect(run.status).toBe('timeout');
    expect(run.error_kind).toBe('timeout');
    expect(steps[0]!.status).toBe('error');
    expect(run.error).toContain('timeout of 0.2 s');
  });

  it('cancelling a run aborts the steps in flight and records them cancelled', async () => {
    const workflow = await h.workflows.create(admin, {
      name: `cancel-${kind}`,
      steps: [
        {
          type: 'parallel',
          name: 'p',
          steps: [
            { type: 'step', name: 's1', module: 'slow' },
            { type: 'step', name: 's2', module: 'slow' },
          ],
        },
      ],
    });
    const created = await h.workflows.run(admin, workflow.id, {});
    await waitFor(
      async () =>
        (await h.runs.steps(admin, created.id)).flatMap((s) => s.children).filter((c) => c.status === 'running')
          .length === 2,
    );
    await h.runs.cancel(admin, created.id);
    const { run, steps } = await h.finished(created.id);
    expect(run.status).toBe('cancelled');
    expect(flatten(steps).map((s) => [s.name, s.status])).toEqual(
      expect.arrayContaining([
        ['p', 'cancelled'],
        ['s1', 'cancelled'],
        ['s2', 'cancelled'],
      ]),
    );
  });

  it('a retried run resumes at the first unfinished step: finished steps are not called again', async () => {
    let failNext = true;
    h.agent.handle((request) => {
      const input = (request.body as { input: unknown }).input;
      if (input === 'second' && failNext) {
        failNext = false;
        return { status: 503, body: { error: 'busy' } };
      }
      return { body: { ok: true, echo: input } };
    });
    h.agent.requests.length = 0;
    const { run, steps, events } = await h.run(
      {
        name: 'resume',
        steps: [
          { type: 'step', name: 'one', assistant_id: h.httpAssistantId, input: 'first' },
          { type: 'step', name: 'two', assistant_id: h.httpAssistantId, input: 'second' },
        ],
      },
      null,
      { retry: { max_attempts: 2 } },
    );
    h.agent.handle((request) => ({ body: { ok: true, echo: (request.body as { input: unknown }).input } }));
    expect(run.status).toBe('success');
    expect(run.attempt).toBe(2);
    const inputs = h.agent.requests.map((r) => (r.body as { input: unknown }).input);
    expect(inputs).toEqual(['first', 'second', 'second']);
    // The same idempotency key on both calls of the step that failed.
    expect(h.agent.requests[1]!.headers['idempotency-key']).toBe(h.agent.requests[2]!.headers['idempotency-key']);
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ['one', 'success'],
      ['two', 'success'],
    ]);
    expect(events.filter((e) => e.kind === 'step_started').map((e) => (e.data as { name: string }).name)).toEqual([
      'one',
      'two',
      'two',
    ]);
  });
});
